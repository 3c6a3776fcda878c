using System.Text;

namespace Rnn.Fast.Cli.Data;

/// <summary>
/// A CSV file read whole: a header row of column names and data rows of as many fields, as text. The format the
/// tool reads (docs/cli.md, "The CSV format"): UTF-8 (a byte-order mark is skipped), fields separated by commas,
/// lines ending in LF or CRLF; a field may be enclosed in double quotes (RFC 4180, with <c>""</c> for a quote inside
/// it), but no field spans lines; column names are unique and not empty; every row has as many fields as the
/// header; empty lines may end the file but not interrupt it. Every problem is an <see cref="InputDataException"/>
/// whose one-line message names the file, the line and, where there is one, the column.
/// </summary>
public sealed class CsvTable
{
    private readonly string[][] _rows;
    private readonly int[] _lineNumbers;

    private CsvTable(string source, string[] header, string[][] rows, int[] lineNumbers)
    {
        Source = source;
        Header = header;
        _rows = rows;
        _lineNumbers = lineNumbers;
    }

    /// <summary>The file's name as the user gave it, for messages.</summary>
    public string Source { get; }

    /// <summary>The column names, in file order.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The number of data rows (lines after the header, without the empty lines that end the file).</summary>
    public int RowCount => _rows.Length;

    /// <summary>The text of a cell, without its quotes.</summary>
    /// <param name="row">The data row, from 0.</param>
    /// <param name="column">The column, from 0.</param>
    public string Cell(int row, int column) => _rows[row][column];

    /// <summary>The line of the file (from 1, the header being line 1) that data row <paramref name="row"/> is on.</summary>
    /// <param name="row">The data row, from 0.</param>
    public int LineNumber(int row) => _lineNumbers[row];

    /// <summary>The column called <paramref name="name"/>, or -1.</summary>
    /// <param name="name">A column name, compared exactly.</param>
    public int IndexOf(string name) => Array.IndexOf((string[])Header, name);

    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    /// <param name="path">The CSV file.</param>
    /// <exception cref="UsageException">There is no such file.</exception>
    /// <exception cref="InputDataException">The file is not a CSV file of the documented form.</exception>
    public static CsvTable Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path)) throw new UsageException($"'{path}' is a folder, not a CSV file");
        if (!File.Exists(path)) throw new UsageException($"there is no file '{path}'");
        string text;
        try
        {
            text = File.ReadAllText(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException error)
        {
            throw new InputDataException($"{path}: the file is not UTF-8 text", error);
        }

        return Parse(text, path);
    }

    /// <summary>Parses CSV text.</summary>
    /// <param name="text">The whole file.</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <exception cref="InputDataException">The text is not a CSV file of the documented form.</exception>
    public static CsvTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].EndsWith('\r')) lines[i] = lines[i][..^1];
        }

        int last = lines.Length - 1;
        while (last >= 0 && string.IsNullOrWhiteSpace(lines[last])) last--;
        if (last < 0) throw new InputDataException($"{source}: the file is empty; it needs a header row of column names and data rows below it");

        string[] header = SplitLine(lines[0], 1, source);
        for (int c = 0; c < header.Length; c++)
        {
            header[c] = header[c].Trim();
            if (header[c].Length == 0) throw new InputDataException($"{source}, line 1, column {c + 1}: the column has no name");
            int earlier = Array.IndexOf(header, header[c], 0, c);
            if (earlier >= 0) throw new InputDataException($"{source}, line 1, column {c + 1}: the name '{header[c]}' is also column {earlier + 1}'s");
        }

        if (last == 0) throw new InputDataException($"{source}: the file has a header row but no data rows");
        var rows = new string[last][];
        var lineNumbers = new int[last];
        for (int i = 1; i <= last; i++)
        {
            int line = i + 1;
            if (string.IsNullOrWhiteSpace(lines[i])) throw new InputDataException($"{source}, line {line}: the line is empty (empty lines may only end the file)");
            string[] fields = SplitLine(lines[i], line, source);
            if (fields.Length != header.Length)
            {
                throw new InputDataException($"{source}, line {line}: the row has {fields.Length} fields, but the header has {header.Length}");
            }

            rows[i - 1] = fields;
            lineNumbers[i - 1] = line;
        }

        return new CsvTable(source, header, rows, lineNumbers);
    }

    /// <summary>Splits one line into fields: commas separate them, double quotes may enclose one.</summary>
    private static string[] SplitLine(string line, int lineNumber, string source)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        while (true)
        {
            int column = fields.Count + 1;
            field.Clear();
            int start = i;
            while (start < line.Length && line[start] is ' ' or '\t') start++;
            if (start < line.Length && line[start] == '"')
            {
                i = start + 1;
                while (true)
                {
                    if (i >= line.Length)
                    {
                        throw new InputDataException($"{source}, line {lineNumber}, column {column}: a quoted field does not end on its line (fields may not span lines)");
                    }

                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(line[i++]);
                }

                while (i < line.Length && line[i] is ' ' or '\t') i++;
                if (i < line.Length && line[i] != ',')
                {
                    throw new InputDataException($"{source}, line {lineNumber}, column {column}: text follows the closing quote of a quoted field");
                }
            }
            else
            {
                while (i < line.Length && line[i] != ',')
                {
                    if (line[i] == '"')
                    {
                        throw new InputDataException($"{source}, line {lineNumber}, column {column}: a double quote inside a field that does not start with one");
                    }

                    field.Append(line[i++]);
                }
            }

            fields.Add(field.ToString());
            if (i >= line.Length) return [.. fields];
            i++; // the comma
        }
    }
}
