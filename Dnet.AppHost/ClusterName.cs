using System.Text.RegularExpressions;

namespace Dnet.AppHost;

/// <summary>
/// The cluster's name: <c>Dnet:ClusterName</c>, default <c>dnet</c>. It names what outlives one run of the AppHost (the
/// Redis data directory and volume), so two clusters on one machine keep apart by giving them different names.
/// </summary>
internal static partial class ClusterName
{
    public const string Key = "Dnet:ClusterName";
    public const string Default = "dnet";

    public static string Name(this IDistributedApplicationBuilder builder)
    {
        var name = builder.Configuration[Key] is { Length: > 0 } configured ? configured : Default;
        if (!Valid().IsMatch(name))
        {
            // It becomes a folder and a container volume name: keep it to what both accept everywhere.
            throw new DistributedApplicationException(
                $"{Key} must be 1-40 lowercase letters, digits or dashes, starting with a letter or digit; got '{name}'.");
        }

        return name;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex Valid();
}
