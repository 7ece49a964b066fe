namespace Dnet.Planner.Topology;

/// <summary>Link costs between nodes; <see cref="Gateway"/> names the gateway's end of the ring.</summary>
public sealed class LinkTable
{
    /// <summary>The node name of the gateway (gateway-to-first and last-to-gateway hops).</summary>
    public const string Gateway = "gateway";

    private readonly Dictionary<(string From, string To), LinkCost> links = [];

    /// <param name="unmeasured">Cost of a hop with no entry.</param>
    public LinkTable(LinkCost? unmeasured = null) => Unmeasured = unmeasured ?? LinkCost.Free;

    public LinkCost Unmeasured { get; }

    public IEnumerable<(string From, string To, LinkCost Cost)> Entries => links.Select(e => (e.Key.From, e.Key.To, e.Value));

    public LinkTable Set(string from, string to, LinkCost cost)
    {
        links[(from, to)] = cost;
        return this;
    }

    public LinkCost Get(string from, string to) => links.GetValueOrDefault((from, to), Unmeasured);
}
