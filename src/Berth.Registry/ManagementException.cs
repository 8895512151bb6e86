namespace Berth.Registry;

/// <summary>
/// A management API failure, written as RFC 7807 problem details. Beside the feature folders rather than in
/// Management: the services the API calls into (scanning among them) throw it too.
/// </summary>
public sealed class ManagementException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>Members added to the problem beside its title and detail, for clients that act on the reason.</summary>
    public IDictionary<string, object?>? Extensions { get; init; }
}
