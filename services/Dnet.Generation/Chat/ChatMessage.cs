namespace Dnet.Generation.Chat;

/// <summary>One OpenAI-style chat message; Role is "system", "user" or "assistant".</summary>
public sealed record ChatMessage(string Role, string Content);
