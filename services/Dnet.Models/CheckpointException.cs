namespace Dnet.Models;

/// <summary>
/// A checkpoint folder cannot be used: missing or malformed file, missing tensor, wrong shape, unsupported dtype or
/// model type. The message names the file and, where one is involved, the tensor.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception for a problem in <paramref name="file"/>, optionally with one tensor.</summary>
    public CheckpointException(string file, string? tensor, string problem, Exception? inner = null)
        : base(tensor is null ? $"{file}: {problem}" : $"{file}: tensor '{tensor}': {problem}", inner)
    {
        File = file;
        Tensor = tensor;
    }

    /// <summary>The file at fault.</summary>
    public string File { get; }

    /// <summary>The tensor at fault, when the problem concerns one.</summary>
    public string? Tensor { get; }

    /// <summary>The config.json key at fault, when the problem concerns one (the planner reports it as the request field).</summary>
    public string? Field { get; init; }
}
