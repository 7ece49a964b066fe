using Dnet.Contracts.Shards;
using Dnet.Inference.Model;
using Dnet.Models;
using Dnet.Transport;
using ActivationFrame = Dnet.Contracts.Shards.ActivationFrame;

namespace Dnet.Shard.Ring;

/// <summary>
/// What a shard serves between a LoadSlice and the next LoadSlice/Unload: the model slice, where its output goes,
/// and where errors go.
/// </summary>
internal sealed class LoadedSlice(
    string model,
    string folder,
    ModelSlice slice,
    OutboundStream<ActivationFrame>? nextHop,
    OutboundStream<TokenFrame> tokenSink) : IAsyncDisposable
{
    public string Model { get; } = model;

    public string Folder { get; } = folder;

    public ModelSlice Slice { get; } = slice;

    /// <summary>Null on the last shard.</summary>
    public OutboundStream<ActivationFrame>? NextHop { get; } = nextHop;

    public OutboundStream<TokenFrame> TokenSink { get; } = tokenSink;

    public SequenceSamplers Samplers { get; } = new();

    /// <summary>Bytes and FLOPs per layer, for the <c>dnet.flops</c> of each forward frame.</summary>
    public ModelProfile Profile { get; } = ModelProfile.From(slice.Config, slice.ComputeDtype);

    public string Layers => $"{Slice.Layers.Start}-{Slice.Layers.End}";

    public async ValueTask DisposeAsync()
    {
        if (NextHop is not null)
        {
            await NextHop.DisposeAsync();
        }

        await TokenSink.DisposeAsync();
        Slice.Dispose();
    }
}
