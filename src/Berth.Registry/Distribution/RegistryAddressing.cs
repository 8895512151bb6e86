using Berth.Core.Distribution;
using Berth.Core.Tenancy;
using Berth.Registry.Auth;
using Berth.Registry.Hosting;

namespace Berth.Registry.Distribution;

/// <summary>
/// Where registries live in URLs. Path-based (default): <c>HOST/&lt;registry&gt;/&lt;repository&gt;</c>, so the
/// client's repository name starts with the registry. Host-based (with <c>Berth:DomainSuffix</c>):
/// <c>&lt;registry&gt;.SUFFIX/&lt;repository&gt;</c>.
/// </summary>
public sealed class RegistryAddressing(IOptions<BerthOptions> options) : IScopeRegistryResolver
{
    private readonly string? _suffix = string.IsNullOrWhiteSpace(options.Value.DomainSuffix) ? null : options.Value.DomainSuffix.Trim().TrimStart('.').ToLowerInvariant();
    private readonly string? _publicHost = string.IsNullOrWhiteSpace(options.Value.PublicHost) ? null : options.Value.PublicHost.Trim();

    public bool IsHostBased => _suffix is not null;

    /// <summary>Resolves a /v2 name; throws NAME_INVALID when it doesn't follow the grammar or names no repository.</summary>
    public RepositoryTarget Resolve(HttpRequest request, string name)
    {
        RepositoryName.Validate(name);
        if (_suffix is not null)
        {
            var registry = RegistryFromHost(request)
                ?? throw new OciException(OciErrorCode.NameUnknown, $"requests must be sent to <registry>.{_suffix}");
            return new RepositoryTarget(registry, name, name);
        }

        if (!RepositoryPath.TrySplitFirstComponent(name, out var registryName, out var repository) || !TenantNames.IsValidRegistryName(registryName))
        {
            throw new OciException(OciErrorCode.NameInvalid, "repository names have the form <registry>/<repository>");
        }

        return new RepositoryTarget(registryName, repository, name);
    }

    /// <summary>The registry named by the Host header in host-based mode, else null.</summary>
    public string? RegistryFromHost(HttpRequest request)
    {
        if (_suffix is null)
        {
            return null;
        }

        var host = request.Host.Host.ToLowerInvariant();
        if (!host.EndsWith("." + _suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var label = host[..^(_suffix.Length + 1)];
        return TenantNames.IsValidRegistryName(label) ? label : null;
    }

    /// <summary>The registry a token scope name belongs to (path-based: its first component).</summary>
    public string? RegistryOfScopeName(HttpRequest request, string scopeName)
    {
        if (_suffix is not null)
        {
            return RegistryFromHost(request);
        }

        return RepositoryPath.TrySplitFirstComponent(scopeName, out var registryName, out _) ? registryName : null;
    }

    public string RepositoryOfScopeName(string scopeName) =>
        _suffix is null && RepositoryPath.TrySplitFirstComponent(scopeName, out _, out var repository) ? repository : scopeName;

    /// <summary>The endpoint users log in to and prefix image references with.</summary>
    public string Endpoint(string registryName, HttpRequest request) =>
        _suffix is not null ? $"{registryName}.{_suffix}" : $"{_publicHost ?? request.Host.Value}/{registryName}";

    /// <summary>The host part of an endpoint (what <c>docker login</c> takes).</summary>
    public string LoginHost(string registryName, HttpRequest request) =>
        _suffix is not null ? $"{registryName}.{_suffix}" : _publicHost ?? request.Host.Value ?? "localhost";
}
