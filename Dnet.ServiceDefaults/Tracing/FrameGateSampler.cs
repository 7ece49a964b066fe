using Dnet.Contracts.Tracing;
using OpenTelemetry.Trace;

namespace Dnet.ServiceDefaults.Tracing;

/// <summary>
/// Drops Dnet frames the trace control excludes before an <see cref="System.Diagnostics.Activity"/> exists, so a
/// disabled frame costs a sampling call. Every other span (ASP.NET, HTTP clients) is left to the parent-based default.
/// The sampler sees names, not sources: catalogue scopes (<see cref="FrameNames.IsFrame"/>) mark a frame.
/// </summary>
internal sealed class FrameGateSampler(FrameGate gate) : Sampler
{
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
    private readonly Sampler inner = new ParentBasedSampler(new AlwaysOnSampler());

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        FrameNames.IsFrame(samplingParameters.Name) && !gate.Records(samplingParameters.Name)
            ? Drop
            : inner.ShouldSample(samplingParameters);
}
