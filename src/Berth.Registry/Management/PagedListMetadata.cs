namespace Berth.Registry.Management;

/// <summary>Endpoint metadata of a <see cref="PagedList{T}"/> endpoint: the OpenAPI document gives its 200 response the Link header.</summary>
public sealed class PagedListMetadata
{
    public static readonly PagedListMetadata Instance = new();

    private PagedListMetadata()
    {
    }
}
