using Dnet.Models;

namespace Dnet.Shard.Models;

/// <summary>
/// A model as this shard found it: a generated model (made on first use in the model cache) or a checkpoint folder
/// inside one of its model roots.
/// </summary>
public sealed record LocatedModel(string Name, string Folder, GeneratedModelSpec? Generated)
{
    public string Kind => Generated is null ? "checkpoint" : "generated";
}
