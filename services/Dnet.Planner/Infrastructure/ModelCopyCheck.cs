using Dnet.Contracts.Shards;

namespace Dnet.Planner.Infrastructure;

/// <summary>The shards' copies of the model differ: the ring would compute with mismatched weights or tokens.</summary>
public sealed class ModelCopiesDifferException(string message) : Exception(message);

/// <summary>A shard that answered but has no usable copy of the model, and why.</summary>
public sealed record ShardWithoutModel(string Node, string Address, string Error);

/// <summary>
/// Checks that every shard's copy of a model is the same: the digests of config.json, tokenizer.json,
/// tokenizer_config.json, the safetensors index and every safetensors header (or a generated model's generator and
/// spec) must match the first copy's. Shards without a copy are set aside (they cannot hold a slice, but they do not
/// make the others' copies wrong); any difference refuses the plan, naming the node and the file.
/// </summary>
public static class ModelCopyCheck
{
    public static (IReadOnlyList<ShardCopy> WithModel, IReadOnlyList<ShardWithoutModel> WithoutModel) Check(string model, IReadOnlyList<ShardCopy> copies)
    {
        var withModel = copies.Where(c => c.Description.Found).ToList();
        var withoutModel = copies.Where(c => !c.Description.Found)
            .Select(c => new ShardWithoutModel(c.Endpoint.Node, c.Endpoint.Address, c.Description.Error))
            .ToList();
        if (withModel.Count < 2)
        {
            return (withModel, withoutModel);
        }

        var reference = withModel[0];
        var expected = Files(reference.Description);
        var differences = new List<string>();
        foreach (var copy in withModel.Skip(1))
        {
            var actual = Files(copy.Description);
            foreach (var name in expected.Keys.Union(actual.Keys).Order(StringComparer.Ordinal))
            {
                var mine = expected.GetValueOrDefault(name);
                var theirs = actual.GetValueOrDefault(name);
                if (mine != theirs)
                {
                    differences.Add($"{copy.Endpoint.Node}'s {name} ({Short(theirs)}) differs from {reference.Endpoint.Node}'s ({Short(mine)})");
                }
            }
        }

        return differences.Count == 0
            ? (withModel, withoutModel)
            : throw new ModelCopiesDifferException(
                $"the shards' copies of {model} differ: {string.Join("; ", differences)}. Give every shard the same files (config.json, tokenizer.json, tokenizer_config.json, safetensors).");
    }

    private static Dictionary<string, string> Files(ModelDescription description) =>
        description.Files.ToDictionary(f => f.Name, f => f.Sha256, StringComparer.Ordinal);

    private static string Short(string? digest) => digest is null ? "missing" : $"sha256 {digest[..12]}";
}
