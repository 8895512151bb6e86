namespace Berth.Scanning.Inventory;

/// <summary>One kind of file the inventory understands.</summary>
internal interface IFileAnalyser
{
    /// <summary>Decides from the tar header alone whether the file is worth reading into memory.</summary>
    bool Wants(LayerFile file);

    /// <summary>Parses the file; null when it holds nothing (a non-Go executable, a jar without Maven metadata).</summary>
    FileFinding? Analyse(string path, byte[] content);
}
