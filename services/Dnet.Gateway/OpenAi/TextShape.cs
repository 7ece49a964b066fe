using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.Completions;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.OpenAi;

/// <summary>Legacy Completions on the wire: <c>text_completion</c> objects, whole or one piece of text per chunk.</summary>
internal sealed class TextShape : ICompletionShape
{
    public static readonly TextShape Instance = new();

    public string IdPrefix => "cmpl";

    public string Operation => SpanAttributes.TextCompletionOperation;

    public Activity? StartRoot(string model, string requestId) => DnetFrames.StartTextCompletion(model, requestId);

    public object Whole(CompletionHeader header, string text, IReadOnlyList<TokenLogprobEntry> logprobs, CompletionFinished finished) =>
        new TextCompletion(header.Id, header.Created, header.Model,
            [new TextChoice(0, text, header.Logprobs ? LegacyLogprobs.From(logprobs, 0) : null, finished.FinishReason)],
            finished.Usage);

    public object? Opening(CompletionHeader header) => null;

    public object Piece(CompletionHeader header, TextEmitted emitted, int textOffset) =>
        Chunk(header, new TextChoice(0, emitted.Text, header.Logprobs ? LegacyLogprobs.From(emitted.Logprobs, textOffset) : null, null));

    public object Finish(CompletionHeader header, string finishReason) => Chunk(header, new TextChoice(0, "", null, finishReason));

    public object UsageChunk(CompletionHeader header, Usage usage) => new TextCompletion(header.Id, header.Created, header.Model, [], usage);

    private static TextCompletion Chunk(CompletionHeader header, TextChoice choice) =>
        new(header.Id, header.Created, header.Model, [choice], null);
}
