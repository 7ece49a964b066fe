using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost;

/// <summary>
/// Passes the model settings of the AppHost's configuration to the gateway, which plans and loads that model at start:
/// <c>Dnet:Model</c> (a checkpoint folder or a generated name), <c>Dnet:ServedModelName</c> (the id clients use; default the
/// folder's or generated model's name), <c>Dnet:ComputeDtype</c> (bf16|f32), <c>Dnet:MaxContext</c>, <c>Dnet:UseAllShards</c>.
/// </summary>
internal static class ModelSettings
{
    private static readonly string[] Keys = ["Model", "ServedModelName", "ComputeDtype", "MaxContext", "UseAllShards"];

    public static IResourceBuilder<ProjectResource> WithModelSettings(this IResourceBuilder<ProjectResource> gateway, IConfiguration configuration)
    {
        foreach (var key in Keys)
        {
            if (configuration[$"Dnet:{key}"] is { Length: > 0 } value)
            {
                gateway.WithEnvironment($"Dnet__{key}", value);
            }
        }

        return gateway;
    }
}
