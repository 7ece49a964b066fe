namespace Dnet.Gateway.Ring;

/// <summary>
/// The model the gateway deploys when it starts: <c>Dnet:Model</c>, default the generated <c>dnet-tiny</c>. The ring
/// supervisor plans and loads it as soon as shards are members, so a chat request works once the gateway is healthy.
/// </summary>
internal static class DefaultModelStartup
{
    public const string DefaultModel = "dnet-tiny";

    public static string ConfiguredModel(IConfiguration configuration) =>
        configuration["Dnet:Model"] is { Length: > 0 } configured ? configured : DefaultModel;
}
