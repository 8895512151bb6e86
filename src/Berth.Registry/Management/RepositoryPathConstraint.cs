using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Berth.Registry.Management;

/// <summary>
/// Routes a repository catch-all (<c>{**path:repositoryPath(kind)}</c>) by what the path ends with, since repository
/// names contain '/': <c>tags</c> (<c>…/tags</c>), <c>artifacts</c> (<c>…/artifacts</c>), <c>manifest</c>
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
            "tags" => path => EndsWithSegment(path, "/tags"),
            "artifacts" => path => EndsWithSegment(path, "/artifacts"),
            "manifest" => path => HasFinalSegmentAfter(path, "/manifests/"),
            "tag" => path => HasFinalSegmentAfter(path, "/tags/"),
            "repository" => path => !HasFinalSegmentAfter(path, "/manifests/") && !HasFinalSegmentAfter(path, "/tags/"),
            "vulnerabilities" => path => IsManifestResource(path, "/vulnerabilities"),
            "scan" => path => IsManifestResource(path, "/scan"),
            "sbom" => path => IsManifestResource(path, "/sbom"),
            _ => throw new ArgumentException($"unknown repository path kind '{kind}'", nameof(kind)),
        };
    }

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && value?.ToString() is { Length: > 0 } path && _matches(path);

    /// <summary>Splits a matched path at the last <paramref name="marker"/>: the repository, and what follows (digest, tag or nothing).</summary>
    public static (string Repository, string Remainder) Split(string path, string marker)
    {
        var index = path.LastIndexOf(marker, StringComparison.Ordinal);
        return (path[..index], path[(index + marker.Length)..]);
    }

    /// <summary>Splits <c>{repository}/manifests/{reference}{suffix}</c> into the repository and the reference.</summary>
    public static (string Repository, string Reference) SplitManifestResource(string path, string suffix) =>
        Split(path[..^suffix.Length], "/manifests/");

    private static bool IsManifestResource(string path, string suffix) =>
        EndsWithSegment(path, suffix) && HasFinalSegmentAfter(path[..^suffix.Length], "/manifests/");

    private static bool EndsWithSegment(string path, string suffix) =>
        path.Length > suffix.Length && path.EndsWith(suffix, StringComparison.Ordinal);

    private static bool HasFinalSegmentAfter(string path, string marker)
    {
        var index = path.LastIndexOf(marker, StringComparison.Ordinal);
        var rest = index + marker.Length;
        return index > 0 && rest < path.Length && path.IndexOf('/', rest) < 0;
    }
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
