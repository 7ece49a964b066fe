using Dnet.Perf;

namespace Dnet.Analytics.Model;

/// <summary>
/// The counter groups request stats use, with their prefixes. <see cref="FrameGroups"/> classifies but does not list
/// prefixes, so the catalogue mirrors every change, including its rule that re-adding a prefix moves it.
/// </summary>
internal sealed class GroupCatalog
{
    private const string WaitRule = "every frame whose name ends in .wait (idle waiting)";
    private const string OtherRule = "every frame no prefix matches";

    private readonly Lock gate = new();
    private readonly PerfAnalyzer analyzer;
    private readonly Dictionary<string, List<string>> prefixesOf = new(StringComparer.Ordinal)
    {
        [FrameGroups.Compute] = [FrameGroups.Compute],
        [FrameGroups.Network] = [FrameGroups.Network],
        [FrameGroups.Memory] = [FrameGroups.Memory],
    };

    public GroupCatalog(PerfAnalyzer analyzer, IEnumerable<KeyValuePair<string, string[]>> configured)
    {
        this.analyzer = analyzer;
        foreach (var (name, prefixes) in configured)
        {
            Add(name, prefixes);
        }
    }

    /// <summary>Adds a group, or moves prefixes into it; later request stats use it at once.</summary>
    public void Add(string name, IReadOnlyList<string> prefixes)
    {
        lock (gate)
        {
            analyzer.AddGroup(name, prefixes);
            var cleaned = prefixes.Select(p => p.Trim().TrimEnd('.')).Distinct(StringComparer.Ordinal).ToList();
            foreach (var owned in prefixesOf.Values)
            {
                owned.RemoveAll(cleaned.Contains);
            }

            if (!prefixesOf.TryGetValue(name, out var list))
            {
                prefixesOf[name] = list = [];
            }

            list.AddRange(cleaned);
        }
    }

    public IReadOnlyList<FrameGroupDefinition> List()
    {
        lock (gate)
        {
            return [.. analyzer.Groups.Names.Select(name => name switch
            {
                FrameGroups.Wait => new FrameGroupDefinition(name, [], WaitRule),
                FrameGroups.Other => new FrameGroupDefinition(name, [], OtherRule),
                _ => new FrameGroupDefinition(
                    name,
                    prefixesOf.TryGetValue(name, out var prefixes) ? [.. prefixes] : [],
                    "longest matching dotted prefix"),
            })];
        }
    }
}

/// <summary>A counter group as listed by <c>GET /analytics/groups</c>.</summary>
/// <param name="Name">Group name.</param>
/// <param name="Prefixes">Frame-name prefixes it owns (a prefix matches itself and names continuing with a dot).</param>
/// <param name="Rule">How frames are assigned to it.</param>
public sealed record FrameGroupDefinition(string Name, IReadOnlyList<string> Prefixes, string Rule);

/// <summary>Body of <c>POST /analytics/groups</c>.</summary>
/// <param name="Name">Group name: letters, digits, <c>_</c> or <c>-</c>; not <c>wait</c> or <c>other</c>.</param>
/// <param name="Prefixes">Dotted frame-name prefixes, e.g. <c>compute.execute</c>.</param>
public sealed record AddGroupRequest(string? Name, IReadOnlyList<string?>? Prefixes);
