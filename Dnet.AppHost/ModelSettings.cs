using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost;

/// <summary>
/// The model the cluster serves, as AppHost parameters (so a deployment sees them in the manifest): <c>model</c> (a
/// checkpoint folder or a generated name, default <c>dnet-tiny</c>) and <c>served-model-name</c> (the id clients use;
/// empty means the folder's or generated model's name). Each is read from <c>Parameters:{name}</c>, else from the older
/// <c>Dnet:Model</c> / <c>Dnet:ServedModelName</c> keys. Finer knobs stay configuration passed through to the gateway:
/// <c>Dnet:ComputeDtype</c> (bf16|f32), <c>Dnet:MaxContext</c>, <c>Dnet:UseAllShards</c>.
/// </summary>
internal static class ModelSettings
{
    public const string ModelParameter = "model";
    public const string ServedModelNameParameter = "served-model-name";
    public const string DefaultModel = "dnet-tiny";

    private static readonly string[] PassThroughKeys = ["ComputeDtype", "MaxContext", "UseAllShards"];

    /// <summary>The model this AppHost loads at start, and what the dashboard's "Load model" command loads.</summary>
    public static IResourceBuilder<ParameterResource> AddModelParameter(this IDistributedApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        // Read when resolved (not captured now) and published as the manifest's default.
        return builder.AddParameter(ModelParameter, () => configuration.ConfiguredModel(), publishValueAsDefault: true);
    }

    /// <summary>The configured model as the AppHost sees it at build time (for settings that depend on it, such as model roots).</summary>
    public static string ConfiguredModel(this IConfiguration configuration) =>
        Setting(configuration, ModelParameter, "Dnet:Model") is { Length: > 0 } model ? model : DefaultModel;

    public static IResourceBuilder<ProjectResource> WithModelSettings(
        this IResourceBuilder<ProjectResource> gateway, IDistributedApplicationBuilder builder, IResourceBuilder<ParameterResource> model)
    {
        var configuration = builder.Configuration;
        var servedName = builder.AddParameter(
            ServedModelNameParameter, () => Setting(configuration, ServedModelNameParameter, "Dnet:ServedModelName") ?? "", publishValueAsDefault: true);
        gateway.WithEnvironment("Dnet__Model", model).WithEnvironment("Dnet__ServedModelName", servedName);

        foreach (var key in PassThroughKeys)
        {
            if (configuration[$"Dnet:{key}"] is { Length: > 0 } value)
            {
                gateway.WithEnvironment($"Dnet__{key}", value);
            }
        }

        return gateway;
    }

    private static string? Setting(IConfiguration configuration, string parameter, string legacyKey) =>
        configuration[$"Parameters:{parameter}"] is { Length: > 0 } value ? value : configuration[legacyKey];
}
