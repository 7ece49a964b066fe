using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using Dnet.Inference.Kernels;
using Dnet.Models;

namespace Dnet.Inference.Checkpoint;

/// <summary>
/// Checkpoint tensors as <see cref="Weight"/>s read in place: each file is memory-mapped read-only once, and a tensor
/// is a pointer into that mapping, so only pages of the tensors actually used are ever read. When the compute dtype
/// differs from the file dtype (f16 files; f32 compute of a bf16 file and vice versa) a converted copy in native
/// memory is unavoidable, and counted. Lives as long as the slice: the mappings and copies are the weights.
/// </summary>
sealed unsafe class WeightMapper(CheckpointFolder checkpoint, ComputeDtype computeDtype) : IDisposable
{
    readonly Dictionary<string, (MemoryMappedFile File, MemoryMappedViewAccessor View, nint Base)> _mappings = [];
    readonly List<nint> _copies = [];
    readonly List<string> _names = [];

    /// <summary>Names of the tensors taken from the checkpoint, in load order.</summary>
    public IReadOnlyList<string> Names => _names;

    /// <summary>File bytes of the tensors taken from the checkpoint.</summary>
    public long Bytes { get; private set; }

    /// <summary>Bytes held in memory by converted copies (compute dtype differs from the file dtype).</summary>
    public long CopiedBytes { get; private set; }

    /// <summary>A [rows, cols] tensor (a vector is one row), checked against <paramref name="shape"/> first.</summary>
    public Weight Load(string name, params long[] shape)
    {
        var (file, entry, dtype) = checkpoint.Find(name, shape);
        _names.Add(name);
        Bytes += entry.Length;
        int rows = shape.Length == 1 ? 1 : (int)shape[0];
        int cols = (int)shape[^1];
        byte* data = (byte*)Map(file) + entry.Offset;
        if (dtype == TensorDtype.Float32 && computeDtype == ComputeDtype.Float32
            || dtype == TensorDtype.BFloat16 && computeDtype == ComputeDtype.BFloat16)
        {
            return new Weight(data, rows, cols, computeDtype);
        }
        return Convert(data, dtype, rows, cols);
    }

    /// <summary>A float32 row in native memory that lives as long as the mapped weights.</summary>
    public Weight Own(ReadOnlySpan<float> values)
    {
        float* copy = (float*)NativeMemory.AlignedAlloc((nuint)(values.Length * sizeof(float)), 64);
        _copies.Add((nint)copy);
        values.CopyTo(new Span<float>(copy, values.Length));
        return new Weight((byte*)copy, 1, values.Length, ComputeDtype.Float32);
    }

    nint Map(SafetensorsFile file)
    {
        if (!_mappings.TryGetValue(file.Path, out var mapping))
        {
            var mapped = MemoryMappedFile.CreateFromFile(file.Path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            var view = mapped.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            // AcquirePointer returns the start of the page-aligned view; the file starts PointerOffset bytes in.
            mapping = (mapped, view, (nint)(pointer + view.PointerOffset));
            _mappings[file.Path] = mapping;
        }
        return mapping.Base;
    }

    Weight Convert(byte* source, TensorDtype from, int rows, int cols)
    {
        long count = (long)rows * cols;
        long bytes = count * computeDtype.ElementSize();
        byte* copy = (byte*)NativeMemory.AlignedAlloc((nuint)bytes, 64);
        _copies.Add((nint)copy);
        CopiedBytes += bytes;
        for (long i = 0; i < count; i++)
        {
            float value = from switch
            {
                TensorDtype.Float32 => ((float*)source)[i],
                TensorDtype.BFloat16 => Bf16.ToFloat(((ushort*)source)[i]),
                _ => (float)((Half*)source)[i],
            };
            if (computeDtype == ComputeDtype.Float32)
            {
                ((float*)copy)[i] = value;
            }
            else
            {
                ((ushort*)copy)[i] = Bf16.FromFloat(value);
            }
        }
        return new Weight(copy, rows, cols, computeDtype);
    }

    /// <summary>Unmaps the files and frees the copies: every <see cref="Weight"/> handed out is dead afterwards.</summary>
    public void Dispose()
    {
        foreach (var (file, view, _) in _mappings.Values)
        {
            view.SafeMemoryMappedViewHandle.ReleasePointer();
            view.Dispose();
            file.Dispose();
        }
        _mappings.Clear();
        foreach (nint copy in _copies)
        {
            NativeMemory.AlignedFree((void*)copy);
        }
        _copies.Clear();
    }
}
