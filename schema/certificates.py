"""The certificate's GraphQL types (电子职称证书), a leaf module: declarations and the results
stage both show a certificate."""

from __future__ import annotations

import datetime as dt

import strawberry

from models import Certificate as CertificateModel
from resolvers.certificates import certificate_view
from rules.certificates import CertificateView

#: Where the holder, the committee office and the title office download the PDF (app/downloads.py).
CERTIFICATE_PATH = "/certificates/{number}.pdf"


@strawberry.type(description="电子职称证书上载明的内容（身份证号脱敏），查验和持证人查看时返回")
class CertificateContent:
    number: str = strawberry.field(description="证书编号（19位：地区代码、年度、级别、序号、校验码）")
    holder_name: str = strawberry.field(description="持证人姓名")
    id_number: str = strawberry.field(description="持证人居民身份证号（脱敏）")
    series_name: str = strawberry.field(description="职称系列")
    level_name: str = strawberry.field(description="资格级别")
    title_name: str = strawberry.field(description="资格名称（职称）")
    specialty_name: str = strawberry.field(description="专业")
    year: int = strawberry.field(description="评审年度")
    committee_name: str = strawberry.field(description="评审机构（评审委员会）")
    issued_by: str = strawberry.field(description="发证机关")
    issued_on: dt.date = strawberry.field(description="批准时间（北京时间日期）")

    @classmethod
    def of(cls, view: CertificateView) -> CertificateContent:
        return cls(number=view.number, holder_name=view.holder_name, id_number=view.masked_id_number,
                   series_name=view.series_name, level_name=view.level_name, title_name=view.title_name,
                   specialty_name=view.specialty_name, year=view.year, committee_name=view.committee_name,
                   issued_by=view.issued_by, issued_on=view.issued_on)


@strawberry.type(description="申报取得的电子职称证书：持证人、评委会办事机构和职称管理机构可见")
class IssuedCertificate:
    content: CertificateContent = strawberry.field(description="证书上载明的内容")
    revoked: bool = strawberry.field(description="是否已撤销（撤销后查验结果为已撤销）")
    revoked_at: dt.datetime | None = strawberry.field(description="撤销时间；未撤销时为空")
    download_path: str = strawberry.field(
        description="PDF 证书的下载路径（GET，带登录令牌 Authorization: Bearer），如 /certificates/<编号>.pdf")

    @classmethod
    def of(cls, row: CertificateModel) -> IssuedCertificate:
        return cls(content=CertificateContent.of(certificate_view(row)), revoked=row.revoked_at is not None,
                   revoked_at=row.revoked_at, download_path=CERTIFICATE_PATH.format(number=row.number))
