using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;

namespace Berth.Registry.Management;

/// <summary>A management API failure, written as RFC 7807 problem details.</summary>
public sealed class ManagementException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
