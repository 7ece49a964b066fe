using Dnet.Gateway.Completions;

namespace Dnet.Gateway.OpenAi;

/// <summary>
/// A validated <c>POST /v1/completions</c> body: the prompt as text or as token ids (exactly one is set).
/// </summary>
internal sealed record TextCompletionRequest(string Model, string? Prompt, IReadOnlyList<int>? PromptTokenIds, GenerationOptions Options);
