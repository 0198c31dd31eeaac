#!/usr/bin/env python3
"""Seed inputs for the record-importer fuzz targets (scripts/fuzz.sh): small valid files of each
record kind with annex 4's column names, so libFuzzer starts past the header recognition instead
of guessing Chinese column names byte by byte.

CSV in UTF-8, UTF-8 with BOM and GBK; XLSX written here with the standard library only (the
minimal SpreadsheetML a zip of four parts needs, shared strings and inline numbers), the way
small exporters write it. Run from anywhere: python3 fuzz/seeds/make.py
"""
import os
import zipfile
from xml.sax.saxutils import escape

HERE = os.path.dirname(os.path.abspath(__file__))
A = "91440300708461136T"
B = "91440800MA4UJ1234X"

FILES = {
    "payments": [
        "机构名称,统一社会信用代码,缴费类型名称,是否预缴费,计量开始日,计量截止日,使用量,使用单位,缴费金额,经办机关全称,经办机关统一社会信用代码,缴纳日期",
        f"湛江市海港贸易有限公司,{A},电费,否,2024-01-01,2024-01-31,\"1,234.5\",千瓦时,\"1,234.50\",湛江供电局,{B},2024-02-05",
        f"湛江市海港贸易有限公司,{A},电费,是,2024/2/1,2024/2/29,800,千瓦时,¥1234.5,湛江供电局,{B},2024年3月5日",
    ],
    "arrears": [
        "机构名称,统一社会信用代码,用户编号,欠缴类型名称,欠缴统计开始日,欠缴统计截止日,欠费金额,认定机构,认定机构统一社会信用代码,认定日期,催告日期,正当理由,结清日期",
        f"甲公司,{A},0301234567,电费,2024-01-01,2024-03-31,\"20,000.00\",湛江供电局,,2024-04-10,2024-04-15,无,",
        f"甲公司,{A},0301234567,电费,2024-10-01,2024-12-31,50000,湛江供电局,,2025-01-10,2025-01-15,,2025-07-15",
    ],
    "violation": [
        "用户编号,用户名称,违约用电日期,违约用电金额,违约用电量,违约用电天数,违约用电总金额,违约用电时间段",
        "0301234567,甲公司,2025-06-01,300,120.5,3天,450,2025-06-01至2025-06-03",
    ],
    "theft": [
        "用户编号,用户名称,统一社会信用代码,证件类型,证件号码,窃电发现日期,窃电量,补缴电费金额,违约使用电费金额,处理状态,结清日期",
        f"0301234567,甲公司,{A},,,2025-03-05,1000,3000,9000,,2025-04-01",
        "0309999999,某个体户,,身份证,11010519491231002X,2025-05-05,,100,300,处理中,",
    ],
}


def csv_text(lines):
    return "\n".join(lines) + "\n"


def xlsx(path, rows):
    strings, index = [], {}
    def sid(s):
        if s not in index:
            index[s] = len(strings)
            strings.append(s)
        return index[s]
    sheet_rows = []
    for r, line in enumerate(rows, 1):
        cells = []
        for c, value in enumerate(split_csv(line)):
            ref = f"{chr(ord('A') + c)}{r}"
            if value.replace(".", "", 1).isdigit() and not value.startswith("0"):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            elif value:
                cells.append(f'<c r="{ref}" t="s"><v>{sid(value)}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst {ns} count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings) + "</sst>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)


def split_csv(line):
    out, cur, quoted = [], "", False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def main():
    csv_dir = os.path.join(HERE, "records_csv")
    xlsx_dir = os.path.join(HERE, "records_xlsx")
    os.makedirs(csv_dir, exist_ok=True)
    os.makedirs(xlsx_dir, exist_ok=True)
    for name, lines in FILES.items():
        text = csv_text(lines)
        with open(os.path.join(csv_dir, f"{name}-utf8.csv"), "w", encoding="utf-8") as f:
            f.write(text)
        with open(os.path.join(csv_dir, f"{name}-bom.csv"), "w", encoding="utf-8-sig") as f:
            f.write(text)
        with open(os.path.join(csv_dir, f"{name}-gbk.csv"), "wb") as f:
            f.write(text.replace("¥", "").encode("gbk"))
        xlsx(os.path.join(xlsx_dir, f"{name}.xlsx"), lines)


if __name__ == "__main__":
    main()
