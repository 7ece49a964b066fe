using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dnet.ServiceDefaults.Http;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c> against the one configured API key (<c>Dnet:ApiKey</c>), compared in
/// constant time. A missing or wrong key is answered 401 with an OpenAI error object, as OpenAI answers it.
/// </summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<ApiKeyOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    /// <summary>The claim naming the client for per-client limits: a digest of the key, never the key.</summary>
    public const string ClientClaim = "dnet.client";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            || !Options.Matches(header[BearerPrefix.Length..].Trim()))
        {
            return Task.FromResult(AuthenticateResult.Fail("invalid API key"));
        }

        var identity = new ClaimsIdentity([new Claim(ClientClaim, Options.ClientName)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var missing = Request.Headers.Authorization.Count == 0;
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var error = missing
            ? OpenAiError.InvalidRequest(
                "You didn't provide an API key. Send it in an Authorization header using Bearer auth (Authorization: Bearer YOUR_KEY).",
                null, "missing_api_key")
            : OpenAiError.InvalidRequest("Incorrect API key provided.", null, "invalid_api_key");
        await Response.WriteAsJsonAsync(error, PublicJson.Options, PublicJson.ErrorContentType, Context.RequestAborted);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(
            OpenAiError.InvalidRequest("This API key may not use this endpoint.", null, "forbidden"),
            PublicJson.Options, PublicJson.ErrorContentType, Context.RequestAborted);
    }
}

/// <summary>The configured key, kept as its SHA-256 digest.</summary>
internal sealed class ApiKeyOptions : AuthenticationSchemeOptions
{
    private byte[] _digest = [];

    /// <summary>A stable, non-secret name of the key's holder for per-client limits.</summary>
    public string ClientName { get; private set; } = "";

    public void SetKey(string key)
    {
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        ClientName = "key:" + Convert.ToHexStringLower(SHA256.HashData(_digest))[..12];
    }

    /// <summary>
    /// Digests first, so the comparison takes the same time whatever the presented key's length and content.
    /// </summary>
    public bool Matches(string presented) =>
        _digest.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), _digest);
}
