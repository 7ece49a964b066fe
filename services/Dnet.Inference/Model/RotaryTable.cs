using Dnet.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dnet.Inference.Model;

/// <summary>
/// cos and sin of position × inverse frequency for every position up to the cache capacity, laid out as HF does
/// (the half-dim frequencies repeated twice, for rotate_half). Computed once in double, stored in the compute dtype.
/// </summary>
sealed class RotaryTable : IDisposable
{
    public RotaryTable(ModelConfig config, int capacity, ScalarType dtype)
    {
        double[] inverse = RopeScaling.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling);
        int headDim = config.HeadDim;
        var cos = new float[capacity * headDim];
        var sin = new float[capacity * headDim];
        for (int pos = 0; pos < capacity; pos++)
        {
            for (int i = 0; i < headDim; i++)
            {
                double angle = pos * inverse[i % inverse.Length];
                cos[pos * headDim + i] = (float)Math.Cos(angle);
                sin[pos * headDim + i] = (float)Math.Sin(angle);
            }
        }
        Cos = torch.tensor(cos, [capacity, headDim]).to(dtype);
        Sin = torch.tensor(sin, [capacity, headDim]).to(dtype);
    }

    /// <summary>[capacity, head_dim].</summary>
    public Tensor Cos { get; }

    /// <summary>[capacity, head_dim].</summary>
    public Tensor Sin { get; }

    public void Dispose()
    {
        Cos.Dispose();
        Sin.Dispose();
    }
}
