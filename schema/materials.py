"""GraphQL surface of proof materials (上传证明材料): the two mutations. The `Material`
node lives in schema/records.py, beside the records it links to."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from resolvers import materials
from schema.context import Info
from schema.errors import ERRORS_DESCRIPTION, UserError
from schema.mutation import Actor, GlobalIdArg, MutationSpec
from schema.records import Material


@strawberry.type(description="上传证明材料的结果")
class MaterialPayload:
    material: Material | None = strawberry.field(default=None, description="已保存的材料；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


@strawberry.type(description="删除证明材料的结果")
class DeleteMaterialPayload:
    deleted_material_id: strawberry.ID | None = strawberry.field(
        default=None, description="已删除材料的全局 ID；有错误时为空")
    errors: list[UserError] = strawberry.field(default_factory=list, description=ERRORS_DESCRIPTION)


_UPLOAD = MutationSpec(MaterialPayload, actor=Actor.PERSON, ids={
    "declaration_id": GlobalIdArg("Declaration", "declarationId"), "record_id": GlobalIdArg("Record", "recordId")})
_DELETE = MutationSpec(DeleteMaterialPayload, actor=Actor.PERSON, ids={"material_id": GlobalIdArg("Material", "id")})


@strawberry.type
class MaterialMutation:
    @strawberry.mutation(
        description="上传证明材料（GraphQL multipart 请求，须带 GraphQL-Require-Preflight 头）："
        "挂在申报上，或给出 recordId 挂在某条记录上。每个文件不超过20 MB，只接受 PDF、JPG、PNG"
    )
    async def upload_material(
        self, info: Info,
        declaration_id: Annotated[strawberry.ID, strawberry.argument(description="申报的全局 ID")],
        file: Annotated[Upload, strawberry.argument(description="文件（multipart 请求中的一部分）")],
        record_id: Annotated[strawberry.ID | None,
                             strawberry.argument(description="挂在该记录上（记录的全局 ID）；不填则挂在申报上")] = None,
    ) -> MaterialPayload:
        return await _UPLOAD.run(info, materials.upload_material, lambda m: MaterialPayload(material=Material.of(m)),
                                 declaration_id=declaration_id, record_id=record_id, upload=file)

    @strawberry.mutation(description="删除证明材料（确认申报前）")
    async def delete_material(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="材料的全局 ID")],
    ) -> DeleteMaterialPayload:
        return await _DELETE.run(info, materials.delete_material,
                                 lambda _: DeleteMaterialPayload(deleted_material_id=id), material_id=id)
