using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dnet.Models;

namespace Dnet.ModelGeneration;

/// <summary>
/// Writes a safetensors file from tensor plans: header in plan order, padded with spaces to a multiple of 8 (so
/// every tensor offset stays element-aligned for memory mapping), then data generated block by block.
/// </summary>
static class SafetensorsWriter
{
    const int BlockElements = 1 << 20;

    public static void Write(string path, IReadOnlyList<TensorPlan> plans, TensorDtype dtype, ulong seed, Action<TensorPlan> written)
    {
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        byte[] header = Header(plans, dtype);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, header.Length);
        file.Write(length);
        file.Write(header);
        var floats = new float[BlockElements];
        var bytes = new byte[BlockElements * 4];
        foreach (var plan in plans)
        {
            var rng = new SeededNormal(SeededNormal.SeedFor(seed, plan.Name));
            for (long done = 0; done < plan.Elements; done += BlockElements)
            {
                int count = (int)Math.Min(BlockElements, plan.Elements - done);
                rng.Fill(floats.AsSpan(0, count), plan.Mean, plan.Std);
                file.Write(bytes, 0, Encode(floats.AsSpan(0, count), dtype, bytes));
            }
            written(plan);
        }
    }

    static byte[] Header(IReadOnlyList<TensorPlan> plans, TensorDtype dtype)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("__metadata__");
            writer.WriteString("format", "pt");
            writer.WriteEndObject();
            long offset = 0;
            foreach (var plan in plans)
            {
                long size = plan.Elements * dtype.ElementSize();
                writer.WriteStartObject(plan.Name);
                writer.WriteString("dtype", dtype.SafetensorsName());
                writer.WriteStartArray("shape");
                foreach (long d in plan.Shape)
                {
                    writer.WriteNumberValue(d);
                }
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(offset + size);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset += size;
            }
            writer.WriteEndObject();
        }
        int padded = (int)(json.Length + 7) / 8 * 8;
        var header = new byte[padded];
        Array.Fill(header, (byte)' ');
        json.ToArray().CopyTo(header, 0);
        return header;
    }

    static int Encode(ReadOnlySpan<float> values, TensorDtype dtype, byte[] output)
    {
        switch (dtype)
        {
            case TensorDtype.Float32:
                MemoryMarshal.AsBytes(values).CopyTo(output);
                return values.Length * 4;
            case TensorDtype.BFloat16:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(output.AsSpan(2 * i), ToBFloat16(values[i]));
                }
                return values.Length * 2;
            default:
                for (int i = 0; i < values.Length; i++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(output.AsSpan(2 * i), (Half)values[i]);
                }
                return values.Length * 2;
        }
    }

    /// <summary>Round-to-nearest-even truncation of a float to its top 16 bits (values here are finite).</summary>
    static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }
}
