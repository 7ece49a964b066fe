using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Dnet.Inference.Checkpoint;
using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// A contiguous range of decoder layers of a Llama-family model (llama, mistral, qwen2, qwen3), with the KV caches
/// of every live sequence. <see cref="Forward(IReadOnlyList{SequenceStep})"/> runs the steps of many sequences as
/// the rows of one batch (see <see cref="Transformer"/> for the pass itself).
/// Thread safety: forwards run one at a time (callers on several threads queue); <see cref="Free"/> may be called
/// from any thread at any time and waits only for a forward that is using that sequence.
/// </summary>
public sealed partial class ModelSlice : IDisposable
{
    readonly SliceWeights _weights;
    readonly KvCache _kv;
    readonly Transformer _transformer;
    readonly BatchRows _rows = new();
    readonly object _forwardGate = new();
    readonly LogitsPool _logitsPool;
    bool _disposed;

    ModelSlice(ModelConfig config, LayerRange layers, SliceWeights weights, ComputeDtype dtype, int capacity, int threads, SimdLevel level, long tiledBytes)
    {
        TiledBytes = tiledBytes;
        Config = config;
        Layers = layers;
        ComputeDtype = dtype;
        _weights = weights;
        _kv = new KvCache(layers.Count, config.NumKeyValueHeads, config.HeadDim, capacity, dtype);
        _transformer = new Transformer(config, weights, dtype, capacity, threads, level);
        _logitsPool = new LogitsPool(config.VocabSize);
    }

    /// <summary>The model's config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Layers held by this slice.</summary>
    public LayerRange Layers { get; }

    /// <summary>Element type of weights, activations on the wire and KV cache.</summary>
    public ComputeDtype ComputeDtype { get; }

    /// <summary>True when this slice starts at layer 0 and so takes token ids.</summary>
    public bool IsFirst => Layers.Start == 0;

    /// <summary>True when this slice ends at the last layer and so returns logits.</summary>
    public bool IsLast => Layers.End == Config.NumHiddenLayers;

    /// <summary>KV cache capacity per sequence, in tokens.</summary>
    public int ContextCapacity => _kv.Capacity;

    /// <summary>Checkpoint tensors this slice mapped (nothing of other layers).</summary>
    public IReadOnlyList<string> MappedTensorNames => _weights.TensorNames;

    /// <summary>File bytes of the mapped tensors.</summary>
    public long MappedBytes => _weights.MappedBytes;

    /// <summary>Bytes copied because the file dtype differs from the compute dtype (0 when none).</summary>
    public long ConvertedBytes => _weights.CopiedBytes;

    /// <summary>Request ids that currently hold a KV cache here.</summary>
    public IReadOnlyCollection<string> Sequences => _kv.SequenceIds;

    /// <summary>Threads the kernels run on (the caller of Forward included).</summary>
    public int Threads => _transformer.Threads;

    /// <summary>Kernel dispatches to the worker group so far (a synchronization each; none is a libtorch call).</summary>
    internal long KernelDispatches => _transformer.Dispatches;

    internal SimdLevel SimdLevel => _transformer.Level;

    /// <summary>
    /// The caller has nothing queued: the kernel threads park now rather than spin for a next forward, and leave the
    /// cores to the processes the ring's work moved on to. The next forward wakes them.
    /// </summary>
    public void Rest() => _transformer.Rest();

    /// <summary>Loads layers [range.Start, range.End) of the checkpoint in <paramref name="folder"/>.</summary>
    public static ModelSlice Load(string folder, LayerRange range, ModelSliceOptions? options = null)
    {
        options ??= new ModelSliceOptions();
        var checkpoint = CheckpointFolder.Open(folder);
        var config = checkpoint.Config;
        range.Validate(config.NumHiddenLayers);
        int capacity = new[] { config.MaxPositionEmbeddings, options.MaxContextTokens ?? int.MaxValue, config.SlidingWindow ?? int.MaxValue }.Min();
        int threads = options.Threads ?? TorchSharp.torch.get_num_threads();
        var weights = SliceWeights.Load(checkpoint, range, options.ComputeDtype);
        bool tiles = options.ComputeDtype == ComputeDtype.BFloat16 && (options.MatrixTiles ?? TilesByDefault) && TileCode.IsSupported;
        long tiledBytes = tiles ? weights.Tile() : 0;
        return new ModelSlice(config, range, weights, options.ComputeDtype, capacity, threads, options.Simd ?? MatMul.Best, tiledBytes);
    }

    /// <summary>Whether this machine can multiply on the AMX tiles (CPU, OS and architecture; see <see cref="TileCode"/>).</summary>
    public static bool MatrixTilesAvailable => TileCode.IsSupported;

    /// <summary>Whether a bf16 slice uses the AMX tiles when <see cref="ModelSliceOptions.MatrixTiles"/> is not set (and the CPU has them).</summary>
    public static bool TilesByDefault => true;

    /// <summary>Bytes of weights copied into tile order (0 when the tiles are off or absent).</summary>
    public long TiledBytes { get; }

    /// <summary>Whether this slice multiplies on the AMX tiles.</summary>
    public bool OnMatrixTiles => TiledBytes > 0;

    /// <summary>Cached tokens of a sequence, or null when it has no cache on this slice.</summary>
    public int? CachedLength(string sequenceId) => _kv.LengthOf(sequenceId);

    /// <summary>Frees a sequence's KV cache; false if it had none. Safe to call while a forward runs.</summary>
    public bool Free(string sequenceId) => _kv.Free(sequenceId);

    /// <summary>
    /// Runs one step: token ids (first slice) or a hidden state from the previous slice, at positions
    /// [startPosition, startPosition + tokens). Returns the hidden state as an activation frame, or on the last
    /// slice the logits of the last position. Bad input throws <see cref="ArgumentException"/>, a step that does
    /// not fit the cache <see cref="KvCacheFullException"/>; neither touches the cache.
    /// </summary>
    public SliceOutput Forward(string sequenceId, SliceInput input, int startPosition)
    {
        try
        {
            return Forward([new SequenceStep(sequenceId, input, startPosition)])[0];
        }
        catch (StepRejectedException rejected)
        {
            ExceptionDispatchInfo.Throw(rejected.InnerException!);
            throw;
        }
    }

    /// <summary>
    /// Runs the steps of several sequences as one batch: every row (a decode token, or a prefill chunk's tokens) is a
    /// row of the same matrix products, and each sequence reads and writes only its own cache at its own positions.
    /// A row's result is bitwise the same whatever else is in the batch. Returns one output per step, in order:
    /// hidden rows for the next slice, or on the last slice the logits of the step's last position. Every step is
    /// checked first; a bad one throws <see cref="StepRejectedException"/> and nothing is computed.
    /// </summary>
    public IReadOnlyList<SliceOutput> Forward(IReadOnlyList<SequenceStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            return [];
        }
        lock (_forwardGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var caches = Admit(steps);
            try
            {
                return Run(steps, caches);
            }
            finally
            {
                _rows.Clear();
                foreach (var kv in caches)
                {
                    Monitor.Exit(kv.Gate);
                }
            }
        }
    }

    unsafe IReadOnlyList<SliceOutput> Run(IReadOnlyList<SequenceStep> steps, SequenceKv[] caches)
    {
        int total = steps.Sum(s => s.Input.Tokens);
        _rows.Reset(total);
        var x = _transformer.Hidden(total);
        Span<int> lastRows = steps.Count <= 256 ? stackalloc int[steps.Count] : new int[steps.Count];
        int row = 0;
        for (int s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            _rows.AddStep(row, step.Input.Tokens);
            for (int t = 0; t < step.Input.Tokens; t++, row++)
            {
                _rows.Kv[row] = caches[s];
                _rows.Position[row] = step.StartPosition + t;
                WriteInput(step.Input, t, x.Row(row));
            }
            lastRows[s] = row - 1;
        }

        _transformer.Layers(_rows);
        for (int s = 0; s < steps.Count; s++)
        {
            caches[s].Commit(steps[s].StartPosition + steps[s].Input.Tokens);
        }

        var outputs = new SliceOutput[steps.Count];
        if (IsLast)
        {
            var logits = _transformer.Logits(lastRows);
            for (int s = 0; s < steps.Count; s++)
            {
                var copy = _logitsPool.Rent();
                new ReadOnlySpan<float>(logits.Row(s), Config.VocabSize).CopyTo(copy);
                outputs[s] = SliceOutput.FromPooledLogits(copy, _logitsPool);
            }
            return outputs;
        }
        row = 0;
        for (int s = 0; s < steps.Count; s++)
        {
            int tokens = steps[s].Input.Tokens;
            outputs[s] = SliceOutput.FromActivations(ActivationFrame.FromRows(new ReadOnlySpan<float>(x.Row(row), tokens * Config.HiddenSize), tokens, Config.HiddenSize, ComputeDtype));
            row += tokens;
        }
        return outputs;
    }

    /// <summary>Row t of a step's input as float32: an embedding row (first slice) or a hidden row from the wire.</summary>
    unsafe void WriteInput(SliceInput input, int t, float* target)
    {
        int hidden = Config.HiddenSize;
        if (input.TokenIds is { } ids)
        {
            var embed = _weights.EmbedTokens!.Value;
            for (int i = 0; i < hidden; i++)
            {
                target[i] = embed[ids[t], i];
            }
            return;
        }
        var frame = input.Activations!;
        var bytes = frame.Data.Span;
        for (int i = 0; i < hidden; i++)
        {
            float value = frame.Dtype == ComputeDtype.Float32
                ? MemoryMarshal.Read<float>(bytes[((t * hidden + i) * 4)..])
                : Bf16.ToFloat(MemoryMarshal.Read<ushort>(bytes[((t * hidden + i) * 2)..]));
            target[i] = ComputeDtype == ComputeDtype.BFloat16 ? Bf16.Round(value) : value;
        }
    }

    /// <summary>Frees every sequence and drops the weights (after a running forward ends).</summary>
    public void Dispose()
    {
        lock (_forwardGate)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            _transformer.Dispose();
            _kv.Dispose();
            _weights.Dispose();
        }
    }
}
