namespace Dnet.Planner.Topology;

/// <summary>The problem cannot be planned as given (bad input, or no assignment satisfies it).</summary>
public class PlanningException(string message) : Exception(message);

/// <summary>No contiguous split fits the devices' memory.</summary>
public sealed class ModelDoesNotFitException(string message, long shortfallBytes, long requiredBytes, long availableBytes)
    : PlanningException(message)
{
    /// <summary>Memory missing from the split that comes closest to fitting.</summary>
    public long ShortfallBytes { get; } = shortfallBytes;

    /// <summary>Memory the whole model needs on one device (weights, KV cache, embedding, head).</summary>
    public long RequiredBytes { get; } = requiredBytes;

    /// <summary>Usable memory of every device together.</summary>
    public long AvailableBytes { get; } = availableBytes;
}

/// <summary>A manual assignment is malformed or does not fit; <see cref="Problems"/> lists every reason.</summary>
public sealed class InvalidAssignmentException(IReadOnlyList<string> problems)
    : PlanningException($"invalid manual assignment: {string.Join("; ", problems)}")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
