package io.lightgate.modules.dirlisting;

/**
 * The inline style sheet and sort script of a listing. lightgate's own text (lighttpd's is not copied): the same
 * look (blue links, grey page, white list box, right-aligned sizes, grey monospace footer) and the same behaviour
 * (click a column header to sort by it, again to reverse, which reverses every row as lighttpd's does; directories
 * stay above files when sorting by name or type ascending; {@code ?C=N|M|S|T|D&O=A|D} picks the initial column and
 * order, by name ascending when not given). One difference: lighttpd's script shows {@code O=A} descending and
 * {@code O=D} ascending (its init_sort inverts them); here A is ascending and D descending.
 */
final class Assets {
    private Assets() { }

    static final String STYLE = """
            a, a:active {color: blue; text-decoration: none;}
            a:visited {color: #48468F;}
            a:hover, a:focus {color: red; text-decoration: underline;}
            body {background-color: #F5F5F5;}
            h2 {margin-bottom: 12px;}
            table {margin-left: 12px;}
            th, td {font: 90% monospace; text-align: left;}
            th {font-weight: bold; padding-bottom: 3px; padding-right: 14px;}
            td {padding-right: 14px;}
            th.s, td.s {text-align: right;}
            div.list {background-color: white; border-bottom: 1px solid #646464; border-top: 1px solid #646464; \
            padding-bottom: 14px; padding-top: 10px;}
            div.foot {color: #787878; font: 90% monospace; padding-top: 4px;}
            """;

    static final String SCRIPT = """
            (function () {
              var UNITS = {K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18};
              var MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';
              function text(cell) { return cell.textContent || cell.innerText || ''; }
              function isDir(row) { return text(row.cells[3]) === 'Directory'; }
              function isParent(row) { return text(row.cells[0]) === '../'; }
              function dateKey(s) {
                var m = /^(\\d{4})-(\\w{3})-(\\d{2}) (\\d{2}:\\d{2}:\\d{2})$/.exec(s);
                if (!m) return '';
                var mon = ('0' + (MONTHS.indexOf(m[2]) / 3 + 1)).slice(-2);
                return m[1] + mon + m[3] + m[4];
              }
              function sizeKey(s) {
                if (s.charAt(0) === '-') return -1;
                return parseFloat(s) * (UNITS[s.slice(-1)] || 1);
              }
              function compare(a, b, col) {
                if (isParent(a) !== isParent(b)) return isParent(a) ? -1 : 1;
                if ((col === 0 || col === 3) && isDir(a) !== isDir(b)) return isDir(a) ? -1 : 1;
                var x = text(a.cells[col]), y = text(b.cells[col]), c;
                if (col === 1) {
                  x = dateKey(x); y = dateKey(y);
                  c = x < y ? -1 : x > y ? 1 : 0;
                } else if (col === 2) {
                  c = sizeKey(x) - sizeKey(y);
                } else {
                  c = x.toUpperCase().localeCompare(y.toUpperCase()) || x.localeCompare(y);
                }
                return c !== 0 || col === 0 ? c : compare(a, b, 0);
              }
              var current = null;
              function sortBy(header, descending) {
                var table = header.parentNode.parentNode.parentNode.parentNode;
                var col = header.parentNode.cellIndex;
                var body = table.tBodies[0];
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) { return compare(a, b, col); });
                if (descending) rows.reverse();
                rows.forEach(function (r) { body.appendChild(r); });
                if (current && current !== header) current.lastChild.innerHTML = '';
                header.lastChild.innerHTML = descending ? '&uarr;' : '&darr;';
                header.setAttribute('data-order', descending ? 'd' : 'a');
                current = header;
              }
              var params = new URLSearchParams(location.search);
              var start = {N: 0, M: 1, S: 2, T: 3, D: 3}[params.get('C')] || 0;
              var tables = document.getElementsByTagName('table');
              for (var t = 0; t < tables.length; t++) {
                var cells = tables[t].rows[0].cells;
                for (var i = 0; i < cells.length; i++) {
                  var label = cells[i].textContent;
                  var link = document.createElement('a');
                  link.href = '#';
                  link.className = 'sortheader';
                  link.appendChild(document.createTextNode(label));
                  var arrow = document.createElement('span');
                  arrow.className = 'sortarrow';
                  link.appendChild(arrow);
                  link.onclick = function () {
                    sortBy(this, this.getAttribute('data-order') === 'a');
                    return false;
                  };
                  cells[i].replaceChild(link, cells[i].firstChild);
                }
                sortBy(cells[start].firstChild, params.get('O') === 'D');
              }
            })();
            """;
}
