namespace Dnet.Models;

/// <summary>
/// The <c>rope_scaling</c> block of config.json. Supported <c>rope_type</c>s: <c>default</c>, <c>linear</c>
/// and <c>llama3</c> (Llama 3.1/3.2).
/// </summary>
/// <param name="RopeType">default, linear or llama3.</param>
/// <param name="Factor">Frequency divisor for long wavelengths.</param>
/// <param name="LowFreqFactor">llama3: wavelengths above original/low_freq_factor are fully scaled.</param>
/// <param name="HighFreqFactor">llama3: wavelengths below original/high_freq_factor are kept.</param>
/// <param name="OriginalMaxPositionEmbeddings">llama3: context length the model was trained with.</param>
public sealed record RopeScaling(string RopeType, double Factor, double LowFreqFactor, double HighFreqFactor, int OriginalMaxPositionEmbeddings)
{
    /// <summary>
    /// Inverse frequencies for one head: theta^(-2i/head_dim), i = 0..head_dim/2-1, then scaled by this block.
    /// </summary>
    public static double[] InverseFrequencies(int headDim, double ropeTheta, RopeScaling? scaling)
    {
        var inverse = new double[headDim / 2];
        for (int i = 0; i < inverse.Length; i++)
        {
            double frequency = 1.0 / Math.Pow(ropeTheta, 2.0 * i / headDim);
            inverse[i] = scaling?.Scale(frequency) ?? frequency;
        }
        return inverse;
    }

    double Scale(double frequency)
    {
        if (RopeType == "linear")
        {
            return frequency / Factor;
        }
        if (RopeType != "llama3")
        {
            return frequency;
        }
        double lowFreqWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
        double highFreqWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
        double wavelen = 2 * Math.PI / frequency;
        if (wavelen < highFreqWavelen)
        {
            return frequency;
        }
        if (wavelen > lowFreqWavelen)
        {
            return frequency / Factor;
        }
        double smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
        return (1 - smooth) * frequency / Factor + smooth * frequency;
    }
}
