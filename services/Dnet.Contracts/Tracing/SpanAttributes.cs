namespace Dnet.Contracts.Tracing;

/// <summary>
/// Attribute names carried by Dnet frames: <c>dnet.*</c> are ours, <c>gen_ai.*</c> follow the OpenTelemetry GenAI
/// semantic conventions (on the gateway's request root span only).
/// </summary>
public static class SpanAttributes
{
    /// <summary>
    /// The request id, on every frame that belongs to a request, on every node: the OpenAI response id
    /// (<c>chatcmpl-...</c> or <c>cmpl-...</c>), which contains the request's <c>x-request-id</c>.
    /// </summary>
    public const string RequestId = "dnet.request_id";

    /// <summary>Node that emitted the frame (<c>gateway</c>, <c>shard-0</c>, ...); added to every frame automatically.</summary>
    public const string Node = "dnet.node";

    /// <summary>Decode step: 0 for the prompt (prefill), then one per generated token (int).</summary>
    public const string Step = "dnet.step";

    /// <summary>Layer range a shard applied, inclusive, e.g. <c>"0-15"</c> (string).</summary>
    public const string Layers = "dnet.layers";

    /// <summary>Payload bytes sent, received, mapped or allocated (long).</summary>
    public const string Bytes = "dnet.bytes";

    /// <summary>Tokens processed by a frame (prompt length at prefill, 1 at decode) (int).</summary>
    public const string Tokens = "dnet.tokens";

    /// <summary>0-based index of a token emitted to the client, on <see cref="FrameNames.RequestToken"/> (int).</summary>
    public const string TokenIndex = "dnet.token_index";

    /// <summary>Compute or activation dtype: <c>bf16</c>, <c>f32</c> (string).</summary>
    public const string Dtype = "dnet.dtype";

    /// <summary>Estimated floating-point operations of one <see cref="FrameNames.ComputeForward"/> (double).</summary>
    public const string Flops = "dnet.flops";

    /// <summary>
    /// On a shard's <see cref="FrameNames.ComputeForward"/> and <see cref="FrameNames.ComputeExecute"/>: sequences
    /// (requests) whose steps ran in the same batched forward, this one included (int). Every request of a batch has its
    /// own forward frame spanning the whole batch, so compute time of a batched forward is shared, not split.
    /// </summary>
    public const string BatchSize = "dnet.batch.size";

    /// <summary>
    /// On the same frames as <see cref="BatchSize"/>: rows of the batched forward over all its sequences (decode tokens
    /// plus prefill-chunk tokens) (int).
    /// </summary>
    public const string BatchTokens = "dnet.batch.tokens";

    /// <summary>
    /// On a shard's <see cref="FrameNames.ComputeForward"/>: where this request's rows were multiplied (string):
    /// <c>kernel</c> (Dnet's float32-FMA kernel) or <c>tiles</c> (a bf16 slice on the CPU's AMX tiles). A slice takes
    /// one path for all its rows, prompt and decode alike.
    /// </summary>
    public const string MatMulPath = "dnet.matmul.path";

    /// <summary>
    /// On a request root: the trace control's name-prefix filter in force when the request started (comma-separated);
    /// absent when every frame was recorded. Frames of other names were not recorded for the request.
    /// </summary>
    public const string TraceFilter = "dnet.trace.include_prefixes";

    /// <summary>
    /// On <see cref="FrameNames.StartupDeploy"/>: why the gateway planned the ring, e.g. <c>start</c>,
    /// <c>shard-1 stopped answering: ...</c> or <c>shard-3 joined</c> (string).
    /// </summary>
    public const string RingChangeReason = "dnet.ring.reason";

    /// <summary>GenAI: the operation; <see cref="ChatOperation"/> on the request root.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>Value of <see cref="OperationName"/> on the request root span.</summary>
    public const string ChatOperation = "chat";

    /// <summary>Value of <see cref="OperationName"/> on the request root span of a legacy completion (<c>/v1/completions</c>).</summary>
    public const string TextCompletionOperation = "text_completion";

    /// <summary>Whether <paramref name="operation"/> (a root's <see cref="OperationName"/>) marks a request root.</summary>
    /// <param name="operation">The attribute's value.</param>
    public static bool IsRequestOperation(string? operation) => operation is ChatOperation or TextCompletionOperation;

    /// <summary>GenAI: model requested by the client.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>GenAI: prompt tokens (int).</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary>GenAI: generated tokens (int).</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>GenAI: finish reasons (string array, e.g. <c>["stop"]</c>).</summary>
    public const string FinishReasons = "gen_ai.response.finish_reasons";

    /// <summary>GenAI: the response id (the same <c>chatcmpl-...</c> or <c>cmpl-...</c> as <see cref="RequestId"/>).</summary>
    public const string ResponseId = "gen_ai.response.id";
}
