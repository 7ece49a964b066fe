namespace Dnet.Repl.Chat;

/// <summary>Sampling settings every chat answer is asked with (null: the gateway's default).</summary>
/// <param name="MaxTokens">Upper bound on generated tokens per answer.</param>
/// <param name="Temperature">Sampling temperature.</param>
internal sealed record ChatSettings(int? MaxTokens, float? Temperature);
