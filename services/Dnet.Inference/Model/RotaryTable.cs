using Dnet.Models;

namespace Dnet.Inference.Model;

/// <summary>
/// cos and sin of position × inverse frequency for every position up to the cache capacity and each of the
/// head_dim/2 frequencies (HF rotate_half pairs element i with i + head_dim/2). Computed once in double.
/// </summary>
sealed class RotaryTable
{
    readonly float[] _cos;
    readonly float[] _sin;

    public RotaryTable(ModelConfig config, int capacity)
    {
        double[] inverse = RopeScaling.InverseFrequencies(config.HeadDim, config.RopeTheta, config.RopeScaling);
        Half = config.HeadDim / 2;
        _cos = new float[(long)capacity * Half];
        _sin = new float[(long)capacity * Half];
        for (int pos = 0; pos < capacity; pos++)
        {
            for (int i = 0; i < Half; i++)
            {
                double angle = pos * inverse[i % inverse.Length];
                _cos[pos * Half + i] = (float)Math.Cos(angle);
                _sin[pos * Half + i] = (float)Math.Sin(angle);
            }
        }
    }

    /// <summary>head_dim / 2.</summary>
    public int Half { get; }

    public ReadOnlySpan<float> Cos(int position) => _cos.AsSpan(position * Half, Half);

    public ReadOnlySpan<float> Sin(int position) => _sin.AsSpan(position * Half, Half);
}
