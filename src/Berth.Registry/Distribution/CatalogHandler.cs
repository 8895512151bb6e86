using System.Text.Json;
using Berth.Core.Metadata;

namespace Berth.Registry.Distribution;

/// <summary><c>GET /v2/_catalog</c>: the repositories of the caller's registry only.</summary>
public sealed class CatalogHandler(IArtifactStore artifacts, RegistryAddressing addressing)
{
    private const int FilterBatch = 500;

    public async Task HandleAsync(HttpContext context, Auth.RegistryPrincipal principal)
    {
        var page = Pagination.FromQuery(context.Request.Query);

        // Clients see full names (<registry>/<repo> when path-based); the store knows names inside the registry.
        var prefix = addressing.IsHostBased ? "" : principal.RegistryName + "/";
        var last = page.Last;
        if (last is not null && prefix.Length > 0)
        {
            last = last.StartsWith(prefix, StringComparison.Ordinal) ? last[prefix.Length..] : null;
        }

        var names = page.Limit == 0 ? [] : await ListAsync(principal, last, page.Limit + 1, context.RequestAborted);
        var hasMore = names.Count > page.Limit;
        var shown = (hasMore ? names.Take(page.Limit) : names).Select(n => prefix + n).ToList();
        page.WriteNextLink(context.Response, "/v2/_catalog", shown, hasMore);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new Catalog(shown), V2Json.Options, context.RequestAborted);
    }

    /// <summary>
    /// Up to <paramref name="count"/> repository names after <paramref name="last"/> that the caller may see: a
    /// credential limited to some repositories sees only those (the list is read from where their names start, in
    /// batches, so a page costs what it shows plus the names between, not the whole registry).
    /// </summary>
    private async Task<List<string>> ListAsync(Auth.RegistryPrincipal principal, string? last, int count, CancellationToken cancellationToken)
    {
        if (principal.Repositories is not { } patterns)
        {
            return [.. await artifacts.ListRepositoriesAsync(principal.RegistryId, last, count, cancellationToken)];
        }

        var names = new List<string>(count);
        var after = StartAfter(last, patterns.LiteralPrefix);
        while (names.Count < count)
        {
            var batch = await artifacts.ListRepositoriesAsync(principal.RegistryId, after, FilterBatch, cancellationToken);
            foreach (var name in batch)
            {
                if (!name.StartsWith(patterns.LiteralPrefix, StringComparison.Ordinal))
                {
                    // Names are in order: once past the prefix every matching name has been seen.
                    return names;
                }

                if (patterns.Matches(name) && names.Count < count)
                {
                    names.Add(name);
                }
            }

            if (batch.Count < FilterBatch)
            {
                break;
            }

            after = batch[^1];
        }

        return names;
    }

    /// <summary>The later of the client's position and the point just before the first name with the prefix.</summary>
    private static string? StartAfter(string? last, string prefix)
    {
        if (prefix.Length == 0)
        {
            return last;
        }

        // Every name starting with the prefix sorts after the prefix minus its last character plus the one before it.
        var beforePrefix = prefix[..^1] + (char)(prefix[^1] - 1) + "\uffff";
        return last is null || string.CompareOrdinal(last, beforePrefix) < 0 ? beforePrefix : last;
    }

    private sealed record Catalog(IReadOnlyList<string> Repositories);
}
