namespace Dnet.ModelGeneration;

/// <summary>Progress of writing a generated checkpoint.</summary>
/// <param name="Model">Model name.</param>
/// <param name="Tensor">The tensor just written.</param>
/// <param name="BytesWritten">Tensor bytes written so far.</param>
/// <param name="TotalBytes">Tensor bytes in the whole checkpoint.</param>
public sealed record GenerationProgress(string Model, string Tensor, long BytesWritten, long TotalBytes)
{
    /// <inheritdoc />
    public override string ToString() => $"{Model}: {100.0 * BytesWritten / TotalBytes:F0}% ({BytesWritten / 1048576.0:F1} of {TotalBytes / 1048576.0:F1} MiB)";
}
