using System.Diagnostics;
using Dnet.Gateway.Completions;

namespace Dnet.Gateway.OpenAi;

/// <summary>What every response of one completion carries: its id, creation time, served model and whether logprobs were asked.</summary>
internal sealed record CompletionHeader(string Id, long Created, string Model, bool Logprobs);

/// <summary>
/// How one API puts a completion on the wire (chat or legacy text): its id prefix, its root span, the whole response
/// and the streamed chunks. The generation behind both is the same <see cref="CompletionRun"/>.
/// </summary>
internal interface ICompletionShape
{
    /// <summary><c>chatcmpl</c> or <c>cmpl</c>.</summary>
    string IdPrefix { get; }

    /// <summary>The GenAI operation name: <c>chat</c> or <c>text_completion</c>.</summary>
    string Operation { get; }

    Activity? StartRoot(string model, string requestId);

    object Whole(CompletionHeader header, string text, IReadOnlyList<TokenLogprobEntry> logprobs, CompletionFinished finished);

    /// <summary>The chunk sent before any text, if the API has one (chat announces the assistant role).</summary>
    object? Opening(CompletionHeader header);

    /// <summary>A chunk of text; <paramref name="textOffset"/> is where it starts in the completion.</summary>
    object Piece(CompletionHeader header, TextEmitted emitted, int textOffset);

    object Finish(CompletionHeader header, string finishReason);

    object UsageChunk(CompletionHeader header, Usage usage);
}
