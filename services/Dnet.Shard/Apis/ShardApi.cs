using System.Diagnostics;
using Dnet.Contracts.Shards;
using Dnet.Contracts.Tracing;
using Dnet.ServiceDefaults.Tracing;
using Dnet.Shard.Models;
using Dnet.Shard.Profiling;
using Dnet.Shard.Ring;
using Grpc.Core;

namespace Dnet.Shard.Apis;

/// <summary>
/// The shard's gRPC surface: slice lifecycle, model copies, request cleanup, and the activation stream. Every call must
/// present the cluster secret (see ShardRingExtensions).
/// </summary>
internal sealed class ShardApi(SliceHost host, FrameQueue queue, ShardIdentity identity, DeviceProfiler profiler, LinkProber prober, ModelCopies models)
    : Dnet.Contracts.Shards.Shard.ShardBase
{
    public override Task<DeviceProfile> GetProfile(ProfileRequest request, ServerCallContext context) =>
        profiler.MeasureAsync(request.ComputeDtype, context.CancellationToken);

    public override Task<LinkMeasurement> MeasureLink(MeasureLinkRequest request, ServerCallContext context) =>
        prober.MeasureAsync(request.TargetAddress, request.PayloadBytes, request.Repeats, context.CancellationToken);

    public override Task<ShardStatus> GetStatus(StatusRequest request, ServerCallContext context)
    {
        var status = new ShardStatus { Node = identity.Node };
        if (host.Current is { } loaded)
        {
            status.Model = loaded.Model;
            status.LayerStart = loaded.Slice.Layers.Start;
            status.LayerEnd = loaded.Slice.Layers.End;
            status.IsFirst = loaded.Slice.IsFirst;
            status.IsLast = loaded.Slice.IsLast;
            status.NextHop = loaded.NextHop?.Peer ?? "";
            status.ActiveSequences = loaded.Slice.Sequences.Count;
            status.ComputeDtype = loaded.Slice.ComputeDtype.ToString();
            status.ResidentBytes = loaded.Slice.MappedBytes + loaded.Slice.ConvertedBytes;
        }

        return Task.FromResult(status);
    }

    public override Task<ModelDescription> DescribeModel(DescribeModelRequest request, ServerCallContext context) =>
        Task.FromResult(models.Describe(request.Model));

    public override async Task<ModelFile> ReadModelFile(ReadModelFileRequest request, ServerCallContext context)
    {
        try
        {
            return await models.ReadAsync(request.Model, request.File, context.CancellationToken);
        }
        catch (ModelAccessException exception)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"{identity.Node}: {exception.Message}"));
        }
        catch (NoModelCopyException exception)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"{identity.Node}: {exception.Message}"));
        }
    }

    public override async Task<LoadSliceReply> LoadSlice(LoadSliceRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Model) || string.IsNullOrWhiteSpace(request.TokenSink))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "model and token_sink are required"));
        }

        try
        {
            return await host.LoadAsync(request, context.CancellationToken);
        }
        catch (ModelAccessException exception)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"{identity.Node} refuses to load {request.Model}: {exception.Message}"));
        }
        catch (NoModelCopyException exception)
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"{identity.Node} has no copy of {request.Model}: {exception.Message}"));
        }
        catch (Exception exception) when (exception is IOException or ArgumentException or InvalidDataException
            or InvalidOperationException or NotSupportedException or UnauthorizedAccessException)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"{identity.Node} could not load {request.Model} [{request.LayerStart}, {request.LayerEnd}): {exception.Message}"));
        }
    }

    public override async Task<UnloadReply> Unload(UnloadRequest request, ServerCallContext context)
    {
        await host.UnloadAsync();
        return new UnloadReply();
    }

    public override Task<FreeSequenceReply> FreeSequence(FreeSequenceRequest request, ServerCallContext context)
    {
        // Steps of the request still queued here (chunks of a cancelled prompt) must not run and recreate its cache.
        queue.Forget(request.RequestId);
        return Task.FromResult(new FreeSequenceReply { Freed = host.Free(request.RequestId) });
    }

    public override Task<EchoPayload> Echo(EchoPayload request, ServerCallContext context) => Task.FromResult(request);

    public override async Task<StreamClosed> Activations(IAsyncStreamReader<ActivationFrame> requestStream, ServerCallContext context)
    {
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            var frame = requestStream.Current;
            ActivityContext.TryParse(frame.Traceparent, frame.Tracestate, isRemote: true, out var parent);
            using (var rx = DnetFrames.Start(FrameNames.NetworkRx, parent))
            {
                rx?.SetTag(SpanAttributes.RequestId, frame.RequestId);
                rx?.SetTag(SpanAttributes.Step, frame.Step);
                rx?.SetTag(SpanAttributes.Bytes, frame.CalculateSize());
            }

            queue.Enqueue(new InboundFrame(frame, DateTimeOffset.UtcNow, parent));
        }

        return new StreamClosed();
    }
}
