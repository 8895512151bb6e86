using System.Collections.Concurrent;
using System.Text.Json;
using Berth.Registry.Hosting;

namespace Berth.Registry.Federation;

/// <summary>
/// The signing keys of OIDC issuers, found through each issuer's discovery document (<c>jwks_uri</c>) and cached per
/// issuer. A token signed with a key not in the cache makes Berth fetch the keys again (the issuer rotated them), but
/// at most once per <see cref="FederationOptions.KeyRefreshInterval"/> per issuer, so tokens with made-up key ids can't make Berth hammer
/// the issuer; cached keys are also re-read after <see cref="MaxAge"/>, so a key the issuer withdrew stops verifying.
/// Only issuers a registry's rule names are ever asked for.
/// </summary>
public sealed partial class IssuerKeys(IHttpClientFactory httpClients, TimeProvider time, IOptions<BerthOptions> options, ILogger<IssuerKeys> logger)
{
    public const string HttpClientName = "berth-federation";

    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(1);

    private const int MaxKeys = 100;

    private readonly ConcurrentDictionary<string, IssuerState> _issuers = new(StringComparer.Ordinal);
    private readonly TimeSpan _refreshInterval = options.Value.Federation.KeyRefreshInterval;

    /// <summary>
    /// The keys of <paramref name="issuer"/> that may have signed a token with key id <paramref name="keyId"/> (all of
    /// them when the token names none); empty when none can.
    /// </summary>
    public async ValueTask<IReadOnlyList<IssuerKey>> FindAsync(string issuer, string? keyId, CancellationToken cancellationToken)
    {
        var state = _issuers.GetOrAdd(issuer, _ => new IssuerState());
        var now = time.GetUtcNow();
        var keys = state.Keys;
        var found = Matching(keys, keyId);
        if ((found.Count > 0 && now - state.FetchedAt < MaxAge) || now - state.LastAttempt < _refreshInterval)
        {
            return found;
        }

        await state.Lock.WaitAsync(cancellationToken);
        try
        {
            // Another request may have fetched them meanwhile.
            if (state.Keys != keys || time.GetUtcNow() - state.LastAttempt < _refreshInterval)
            {
                return Matching(state.Keys, keyId);
            }

            state.LastAttempt = time.GetUtcNow();
            try
            {
                state.Keys = await FetchAsync(issuer, cancellationToken);
                state.FetchedAt = state.LastAttempt;
                LogFetched(logger, issuer, state.Keys.Count);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException &&
                !cancellationToken.IsCancellationRequested)
            {
                // The keys had before stay in use: an issuer briefly unreachable must not stop every CI job.
                LogFetchFailed(logger, issuer, ex.Message);
            }

            return Matching(state.Keys, keyId);
        }
        finally
        {
            state.Lock.Release();
        }
    }

    private static List<IssuerKey> Matching(IReadOnlyList<IssuerKey> keys, string? keyId) =>
        keyId is null ? [.. keys] : [.. keys.Where(k => k.KeyId == keyId)];

    private async Task<IReadOnlyList<IssuerKey>> FetchAsync(string issuer, CancellationToken cancellationToken)
    {
        var allowHttpLoopback = options.Value.Federation.AllowHttpLoopbackIssuers;

        // Checked again here: a rule made while http loopback issuers were allowed stays unusable once they are not.
        if (IssuerUrl.Check(issuer, allowHttpLoopback) is { } refused)
        {
            throw new InvalidOperationException(refused);
        }

        var client = httpClients.CreateClient(HttpClientName);
        using var discovery = JsonDocument.Parse(await client.GetByteArrayAsync(issuer.TrimEnd('/') + "/.well-known/openid-configuration", cancellationToken));

        // OpenID Connect Discovery §4.3: the document must name the very issuer it was fetched for.
        if (!discovery.RootElement.TryGetProperty("issuer", out var named) || named.ValueKind != JsonValueKind.String || named.GetString() != issuer)
        {
            throw new InvalidOperationException("the discovery document names another issuer");
        }

        if (!discovery.RootElement.TryGetProperty("jwks_uri", out var jwksUri) || jwksUri.ValueKind != JsonValueKind.String ||
            IssuerUrl.Check(jwksUri.GetString()!, allowHttpLoopback) is not null)
        {
            throw new InvalidOperationException("the discovery document has no usable jwks_uri");
        }

        using var jwks = JsonDocument.Parse(await client.GetByteArrayAsync(jwksUri.GetString(), cancellationToken));
        if (!jwks.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidOperationException("the JWKS has no keys array");
        }

        return [.. keys.EnumerateArray().Take(MaxKeys).Select(IssuerKey.FromJwk).OfType<IssuerKey>()];
    }

    private sealed class IssuerState
    {
        public SemaphoreSlim Lock { get; } = new(1, 1);

        public IReadOnlyList<IssuerKey> Keys { get; set; } = [];

        public DateTimeOffset FetchedAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset LastAttempt { get; set; } = DateTimeOffset.MinValue;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Count} signing keys of OIDC issuer {Issuer}")]
    private static partial void LogFetched(ILogger logger, string issuer, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch the signing keys of OIDC issuer {Issuer}: {Reason}")]
    private static partial void LogFetchFailed(ILogger logger, string issuer, string reason);
}
