using System.Text.RegularExpressions;
using Berth.Core.Distribution;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Berth.Registry.Management;

/// <summary>
/// Routes a repository catch-all (<c>{**path:repositoryPath(kind)}</c>) by what the path ends with (split by
/// <see cref="RepositoryPath"/>, as /v2 paths are), since repository names contain '/': <c>tags</c> (<c>…/tags</c>), <c>artifacts</c> (<c>…/artifacts</c>), <c>manifest</c>
/// (<c>…/manifests/{digest}</c>), <c>tag</c> (<c>…/tags/{tag}</c>), <c>repository</c> (neither of the last two),
/// <c>vulnerabilities</c>, <c>scan</c> and <c>sbom</c> (<c>…/manifests/{reference}/vulnerabilities</c>, …). The kinds of one HTTP method exclude each other, so routing is never ambiguous.
/// </summary>
public sealed class RepositoryPathConstraint : IRouteConstraint
{
    public const string Name = "repositoryPath";

    private readonly Func<string, bool> _matches;

    public RepositoryPathConstraint(string kind)
    {
        _matches = kind switch
        {
            "tags" => path => RepositoryPath.TryTrimSuffix(path, "/tags", out _),
            "artifacts" => path => RepositoryPath.TryTrimSuffix(path, "/artifacts", out _),
            "manifest" => path => IsLastSegment(path, "/manifests/"),
            "tag" => path => IsLastSegment(path, "/tags/"),
            "repository" => path => !IsLastSegment(path, "/manifests/") && !IsLastSegment(path, "/tags/"),
            "vulnerabilities" => path => IsManifestResource(path, "/vulnerabilities"),
            "scan" => path => IsManifestResource(path, "/scan"),
            "sbom" => path => IsManifestResource(path, "/sbom"),
            _ => throw new ArgumentException($"unknown repository path kind '{kind}'", nameof(kind)),
        };
    }

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value?.ToString() is { Length: > 0 } path && _matches(path);

    /// <summary>
    /// Splits a path this constraint matched into the repository and what follows <paramref name="marker"/>: the final
    /// segment (digest or tag) for a marker ending in '/', else nothing.
    /// </summary>
    public static (string Repository, string Remainder) Split(string path, string marker)
    {
        if (marker.EndsWith('/'))
        {
            return RepositoryPath.TrySplitLastSegment(path, marker, out var repository, out var segment)
                ? (repository, segment)
                : throw new ArgumentException($"'{path}' does not end with {marker}<segment>", nameof(path));
        }

        return RepositoryPath.TryTrimSuffix(path, marker, out var name)
            ? (name, "")
            : throw new ArgumentException($"'{path}' does not end with {marker}", nameof(path));
    }

    /// <summary>Splits <c>{repository}/manifests/{reference}{suffix}</c> into the repository and the reference.</summary>
    public static (string Repository, string Reference) SplitManifestResource(string path, string suffix) =>
        Split(path[..^suffix.Length], "/manifests/");

    private static bool IsManifestResource(string path, string suffix) =>
        RepositoryPath.TryTrimSuffix(path, suffix, out var resource) && IsLastSegment(resource, "/manifests/");

    private static bool IsLastSegment(string path, string marker) => RepositoryPath.TrySplitLastSegment(path, marker, out _, out _);
}

/// <summary>How an endpoint on a repository catch-all is documented: the catch-all replaced by e.g. <c>{repository}/tags</c>.</summary>
public sealed record DocumentedRepositoryPath(string Template);

public static class DocumentedRepositoryPathExtensions
{
    public static RouteHandlerBuilder WithDocumentedPath(this RouteHandlerBuilder builder, string template) =>
        builder.WithMetadata(new DocumentedRepositoryPath(template));
}

/// <summary>
/// Rewrites the API descriptions of repository catch-all endpoints to their documented paths and parameters, so the
/// OpenAPI document lists <c>…/repositories/{repository}/tags</c> and its siblings as separate paths instead of one
/// <c>…/repositories/{path}</c> per method.
/// </summary>
internal sealed partial class DocumentedRepositoryPathProvider : IApiDescriptionProvider
{
    // After the built-in providers, which create the descriptions.
    public int Order => 0;

    public void OnProvidersExecuting(ApiDescriptionProviderContext context)
    {
    }

    public void OnProvidersExecuted(ApiDescriptionProviderContext context)
    {
        foreach (var description in context.Results)
        {
            if (description.ActionDescriptor.EndpointMetadata.OfType<DocumentedRepositoryPath>().FirstOrDefault() is not { } documented ||
                description.ParameterDescriptions.FirstOrDefault(p => p.Name == "path") is not { } catchAll)
            {
                continue;
            }

            description.RelativePath = CatchAll().Replace(description.RelativePath ?? "", documented.Template);
            var index = description.ParameterDescriptions.IndexOf(catchAll);
            description.ParameterDescriptions.RemoveAt(index);
            foreach (var name in Parameter().Matches(documented.Template).Select(m => m.Groups[1].Value).Reverse())
            {
                description.ParameterDescriptions.Insert(index, new ApiParameterDescription
                {
                    Name = name,
                    Source = BindingSource.Path,
                    Type = typeof(string),
                    ModelMetadata = catchAll.ModelMetadata,
                    IsRequired = true,
                });
            }
        }
    }

    [GeneratedRegex(@"\{\**path[^}]*\}")]
    private static partial Regex CatchAll();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Parameter();
}
