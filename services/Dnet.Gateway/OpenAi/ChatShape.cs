using System.Diagnostics;
using Dnet.Contracts.Tracing;
using Dnet.Gateway.Completions;
using Dnet.ServiceDefaults.Tracing;

namespace Dnet.Gateway.OpenAi;

/// <summary>Chat Completions on the wire: <c>chat.completion</c> and <c>chat.completion.chunk</c> objects.</summary>
internal sealed class ChatShape : ICompletionShape
{
    public static readonly ChatShape Instance = new();

    public string IdPrefix => "chatcmpl";

    public string Operation => SpanAttributes.ChatOperation;

    public Activity? StartRoot(string model, string requestId) => DnetFrames.StartChat(model, requestId);

    public object Whole(CompletionHeader header, string text, IReadOnlyList<TokenLogprobEntry> logprobs, CompletionFinished finished) =>
        new ChatCompletion(header.Id, header.Created, header.Model,
            [new ChatChoice(0, new AssistantMessage(text), header.Logprobs ? new ChoiceLogprobs(logprobs) : null, finished.FinishReason)],
            finished.Usage);

    public object? Opening(CompletionHeader header) => Chunk(header, new ChunkChoice(0, new Delta("assistant", ""), null, null));

    public object Piece(CompletionHeader header, TextEmitted emitted, int textOffset) =>
        Chunk(header, new ChunkChoice(0, new Delta(null, emitted.Text), header.Logprobs ? new ChoiceLogprobs(emitted.Logprobs) : null, null));

    public object Finish(CompletionHeader header, string finishReason) =>
        Chunk(header, new ChunkChoice(0, new Delta(null, null), null, finishReason));

    public object UsageChunk(CompletionHeader header, Usage usage) =>
        new ChatCompletionChunk(header.Id, header.Created, header.Model, [], usage);

    private static ChatCompletionChunk Chunk(CompletionHeader header, ChunkChoice choice) =>
        new(header.Id, header.Created, header.Model, [choice], null);
}
