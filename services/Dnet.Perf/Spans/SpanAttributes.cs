namespace Dnet.Perf;

/// <summary>Attribute names and frame names the analysis relies on (conventions of the frame catalogue).</summary>
public static class SpanAttributes
{
    /// <summary>Request id carried by every span of a request, on every node.</summary>
    public const string RequestId = "dnet.request_id";

    /// <summary>0-based index of an emitted token, on <see cref="TokenFrame"/> spans.</summary>
    public const string TokenIndex = "dnet.token_index";

    /// <summary>
    /// Serialized message bytes of <see cref="NetworkTxFrame"/>, <see cref="NetworkTokenSendFrame"/> and
    /// <see cref="NetworkRxFrame"/> spans (sender and receiver count the same message).
    /// </summary>
    public const string Bytes = "dnet.bytes";

    /// <summary>Estimated FLOPs of one <see cref="ComputeForwardFrame"/>.</summary>
    public const string Flops = "dnet.flops";

    /// <summary>GenAI operation name; <c>chat</c> marks the gateway's request root span.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary>Model requested by the client.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary>Prompt tokens, on the root span.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary>Generated tokens, on the root span.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary>Finish reasons, on the root span.</summary>
    public const string FinishReasons = "gen_ai.response.finish_reasons";

    /// <summary>On a request root: the trace control's name-prefix filter in force (comma-separated).</summary>
    public const string TraceFilter = "dnet.trace.include_prefixes";

    /// <summary>Value of <see cref="OperationName"/> on a request root.</summary>
    public const string ChatOperation = "chat";

    /// <summary>Value of <see cref="OperationName"/> on a legacy completion's request root.</summary>
    public const string TextCompletionOperation = "text_completion";

    /// <summary>Gateway span per token emitted to the client; its start is the emission time.</summary>
    public const string TokenFrame = "request.token";

    /// <summary>Frame whose <see cref="Bytes"/> count as sent by its node.</summary>
    public const string NetworkTxFrame = "network.tx";

    /// <summary>Last shard's frame sending a token to the gateway; its <see cref="Bytes"/> count as sent.</summary>
    public const string NetworkTokenSendFrame = "network.token.send";

    /// <summary>Frame whose <see cref="Bytes"/> count as received by its node.</summary>
    public const string NetworkRxFrame = "network.rx";

    /// <summary>Frame whose <see cref="Flops"/> count towards a request's estimated FLOPs.</summary>
    public const string ComputeForwardFrame = "compute.forward";

    /// <summary>Whether a frame's <see cref="Bytes"/> count as sent by its node.</summary>
    /// <param name="name">Frame name.</param>
    public static bool IsSend(string name) => name is NetworkTxFrame or NetworkTokenSendFrame;

    /// <summary>Suffix of idle waiting frames.</summary>
    public const string WaitSuffix = ".wait";

    /// <summary>Whether a frame name denotes idle waiting.</summary>
    /// <param name="name">Frame name.</param>
    public static bool IsWait(string name) => name.EndsWith(WaitSuffix, StringComparison.Ordinal);
}
