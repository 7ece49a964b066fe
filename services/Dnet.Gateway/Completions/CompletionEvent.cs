using Dnet.Gateway.OpenAi;

namespace Dnet.Gateway.Completions;

/// <summary>What a running completion produces: text (with its tokens' logprobs) and, last, how it finished.</summary>
internal abstract record CompletionEvent;

/// <summary>Text safe to send to the client (complete UTF-8, no part of a stop sequence).</summary>
internal sealed record TextEmitted(string Text, IReadOnlyList<TokenLogprobEntry> Logprobs) : CompletionEvent;

/// <summary>The completion ended: <c>stop</c> or <c>length</c>, with the token counts.</summary>
internal sealed record CompletionFinished(string FinishReason, Usage Usage) : CompletionEvent;
