using Dnet.Planner.Apis;

namespace Dnet.Planner.Infrastructure;

/// <summary>The current topology: the last plan that succeeded. In memory; a restarted planner has none.</summary>
public sealed class TopologyStore
{
    private volatile TopologyDocument? current;

    public TopologyDocument? Current => current;

    public void Remember(TopologyDocument topology) => current = topology;
}
