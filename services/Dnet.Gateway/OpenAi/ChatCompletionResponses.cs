using System.Text.Json.Serialization;

namespace Dnet.Gateway.OpenAi;

// The response objects of the Chat Completions API, named as OpenAI names them (snake_case on the wire).

internal sealed record ChatCompletion(
    string Id, long Created, string Model, IReadOnlyList<ChatChoice> Choices, Usage Usage)
{
    public string Object => "chat.completion";

    public string? SystemFingerprint => null;
}

internal sealed record ChatChoice(int Index, AssistantMessage Message, ChoiceLogprobs? Logprobs, string FinishReason);

internal sealed record AssistantMessage(string Content)
{
    public string Role => "assistant";
}

internal sealed record ChatCompletionChunk(
    string Id, long Created, string Model, IReadOnlyList<ChunkChoice> Choices,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Usage? Usage)
{
    public string Object => "chat.completion.chunk";

    public string? SystemFingerprint => null;
}

internal sealed record ChunkChoice(int Index, Delta Delta, ChoiceLogprobs? Logprobs, string? FinishReason);

internal sealed record Delta(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content);

internal sealed record ChoiceLogprobs(IReadOnlyList<TokenLogprobEntry> Content);

internal sealed record TokenLogprobEntry(string Token, float Logprob, IReadOnlyList<int> Bytes, IReadOnlyList<TopLogprobEntry> TopLogprobs);

internal sealed record TopLogprobEntry(string Token, float Logprob, IReadOnlyList<int> Bytes);

internal sealed record Usage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
