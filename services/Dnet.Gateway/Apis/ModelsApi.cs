using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.Apis;

/// <summary>OpenAI Models: <c>GET /v1/models</c> and <c>GET /v1/models/{id}</c>, with the context length as <c>max_model_len</c>.</summary>
internal static class ModelsApi
{
    public static IEndpointRouteBuilder MapModelsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/models", (ModelDeployment deployment) =>
            Results.Json(new ModelList(deployment.Current is { } model ? [Card(model)] : [])));
        app.MapGet("/v1/models/{**id}", (string id, ModelDeployment deployment) =>
            deployment.Current is { } model && model.ServedName == id
                ? Results.Json(Card(model))
                : OpenAiError.InvalidRequest($"The model '{id}' does not exist.", "model", "model_not_found").ToResult(StatusCodes.Status404NotFound));
        return app;
    }

    private static ModelCard Card(DeployedModel model) =>
        new(model.ServedName, model.LoadedAt.ToUnixTimeSeconds(), "dnet", model.ContextLength);
}
