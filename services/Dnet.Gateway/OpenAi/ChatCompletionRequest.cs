using Dnet.Generation.Chat;

namespace Dnet.Gateway.OpenAi;

/// <summary>A validated <c>POST /v1/chat/completions</c> body.</summary>
internal sealed record ChatCompletionRequest
{
    public required string Model { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Null: up to the context length.</summary>
    public int? MaxTokens { get; init; }

    public float Temperature { get; init; } = 1f;

    public float TopP { get; init; } = 1f;

    public int TopK { get; init; }

    public float MinP { get; init; }

    public float FrequencyPenalty { get; init; }

    public float PresencePenalty { get; init; }

    public float RepetitionPenalty { get; init; } = 1f;

    public long? Seed { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool Logprobs { get; init; }

    public int TopLogprobs { get; init; }

    public string? User { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }
}
