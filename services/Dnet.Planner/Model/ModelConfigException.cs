namespace Dnet.Planner.Model;

/// <summary>A config.json the planner cannot use; <see cref="Field"/> names the offending key when there is one.</summary>
public sealed class ModelConfigException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}
