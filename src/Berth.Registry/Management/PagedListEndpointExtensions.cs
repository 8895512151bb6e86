namespace Berth.Registry.Management;

public static class PagedListEndpointExtensions
{
    /// <summary>Documents a <see cref="PagedList{T}"/> endpoint: its 200 response, an array of <typeparamref name="T"/> with the Link header.</summary>
    public static RouteHandlerBuilder ProducesPagedList<T>(this RouteHandlerBuilder builder) =>
        builder.Produces<T[]>().WithMetadata(PagedListMetadata.Instance);
}
