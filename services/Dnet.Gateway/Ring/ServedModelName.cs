namespace Dnet.Gateway.Ring;

/// <summary>
/// The model id clients see. <c>Dnet:ServedModelName</c> names the configured model (<c>Dnet:Model</c>); any other
/// model, and the configured one when no name is set, is served under its folder's name (<c>/models/Llama-3.2-1B</c>
/// → <c>Llama-3.2-1B</c>) or its generated name (<c>dnet-tiny</c>), never under a path.
/// </summary>
internal static class ServedModelName
{
    public const string ConfigurationKey = "Dnet:ServedModelName";

    public static string For(string model, IConfiguration configuration)
    {
        var configured = configuration["Dnet:Model"] is { Length: > 0 } m ? m : DefaultModelStartup.DefaultModel;
        if (model == configured && configuration[ConfigurationKey] is { Length: > 0 } name)
        {
            return name;
        }

        var trimmed = model.TrimEnd('/', '\\');
        return Path.GetFileName(trimmed) is { Length: > 0 } folder ? folder : trimmed;
    }
}
