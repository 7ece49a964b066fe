namespace Dnet.Inference.Model;

/// <summary>A contiguous half-open range of transformer layers [<paramref name="Start"/>, <paramref name="End"/>).</summary>
/// <param name="Start">First layer held.</param>
/// <param name="End">One past the last layer held.</param>
public readonly record struct LayerRange(int Start, int End)
{
    /// <summary>Number of layers.</summary>
    public int Count => End - Start;

    /// <summary>Every layer of a model with <paramref name="layers"/> layers.</summary>
    public static LayerRange All(int layers) => new(0, layers);

    /// <summary>Throws unless this is a non-empty range inside a model of <paramref name="layers"/> layers.</summary>
    public void Validate(int layers)
    {
        if (Start < 0 || End > layers || Start >= End)
        {
            throw new ArgumentOutOfRangeException(nameof(LayerRange), $"layer range [{Start}, {End}) is not inside [0, {layers})");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}
