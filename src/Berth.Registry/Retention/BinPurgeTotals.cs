namespace Berth.Registry.Retention;

/// <summary>What one purge of the recovery bin dropped, and the blob bytes that freed.</summary>
public sealed class BinPurgeTotals
{
    public int Tags { get; set; }

    public int Manifests { get; set; }

    public long BytesFreed { get; set; }
}
