using Dnet.Gateway.Completions;
using Dnet.Generation.Chat;

namespace Dnet.Gateway.OpenAi;

/// <summary>A validated <c>POST /v1/chat/completions</c> body.</summary>
internal sealed record ChatCompletionRequest(string Model, IReadOnlyList<ChatMessage> Messages, GenerationOptions Options);
