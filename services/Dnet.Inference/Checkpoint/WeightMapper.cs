using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Checkpoint;

/// <summary>
/// Turns checkpoint tensors into torch tensors without reading the file: each (file, dtype) is mapped once with
/// <c>torch.from_file</c> (a private mmap), and each tensor is an <c>as_strided</c> view into it, so only pages of
/// the tensors actually used are ever read. When the compute dtype differs from the file dtype a converted copy
/// is unavoidable; a tensor whose offset is not a multiple of its element size is read into memory (a copy).
/// Records which tensors and how many file bytes were mapped, so slice loading can be checked.
/// </summary>
sealed class WeightMapper(CheckpointFolder checkpoint, ScalarType computeDtype) : IDisposable
{
    readonly Dictionary<(string Path, TensorDtype Dtype), Tensor> _mappings = [];
    readonly List<string> _names = [];

    /// <summary>Names of the tensors taken from the checkpoint, in load order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>File bytes of the tensors taken from the checkpoint.</summary>
    public long Bytes { get; private set; }

    /// <summary>Bytes held in memory by converted copies (compute dtype differs from the file dtype).</summary>
    public long CopiedBytes { get; private set; }

    /// <summary>Loads one tensor, checking its shape against <paramref name="shape"/> first.</summary>
    public Tensor Load(string name, params long[] shape)
    {
        var (file, entry, dtype) = checkpoint.Find(name, shape);
        _names.Add(name);
        Bytes += entry.Length;
        int elementSize = dtype.ElementSize();
        var stored = entry.Offset % elementSize == 0
            ? View(file, dtype, entry.Offset / elementSize, shape)
            : ReadCopy(file, entry, dtype, shape);
        if (stored.dtype == computeDtype)
        {
            return stored;
        }
        var converted = stored.to(computeDtype);
        stored.Dispose();
        CopiedBytes += converted.NumberOfElements * converted.ElementSize;
        return converted;
    }

    Tensor View(SafetensorsFile file, TensorDtype dtype, long elementOffset, long[] shape)
    {
        if (!_mappings.TryGetValue((file.Path, dtype), out var mapping))
        {
            mapping = torch.from_file(file.Path, shared: false, size: file.FileLength / dtype.ElementSize(), dtype: dtype.ToScalarType());
            _mappings[(file.Path, dtype)] = mapping;
        }
        var strides = new long[shape.Length];
        long stride = 1;
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        return mapping.as_strided(shape, strides, elementOffset);
    }

    static Tensor ReadCopy(SafetensorsFile file, SafetensorsEntry entry, TensorDtype dtype, long[] shape)
    {
        var tensor = torch.empty(shape, dtype.ToScalarType());
        using var stream = File.OpenRead(file.Path);
        stream.Position = entry.Offset;
        stream.ReadExactly(tensor.bytes);
        return tensor;
    }

    /// <summary>Drops the whole-file handles; the views keep the mapping alive as long as they live.</summary>
    public void Dispose()
    {
        foreach (var mapping in _mappings.Values)
        {
            mapping.Dispose();
        }
        _mappings.Clear();
    }
}
