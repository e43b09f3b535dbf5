//! `Asset3D` files (GLB, glTF, OBJ) as meshes: glTF with its node transforms, vertex
//! colors, base color factors and textures; OBJ with its geometry (its materials live in
//! other files an asset does not carry).

use std::sync::Arc;

use glam::Mat4;
use reel_types::components::{Blob, Mat4x4, MediaType};

use super::scene::{mesh_batch, Instances, Part};
use crate::data::EntityData;
use crate::renderer::TextureImage;

/// The parts of an entity's asset, each placed by the asset's transform and its node's.
pub fn asset_3d(key: u64, data: &mut EntityData) -> Result<Vec<Part>, String> {
    let blob = data.first::<Blob>().ok_or("the asset has no bytes")?;
    let media = data.first::<MediaType>().map(|m| m.0);
    let transform = data
        .first::<Mat4x4>()
        .map_or(Mat4::IDENTITY, |m| Mat4::from_cols_array(&m.0));
    let bytes = blob.0;
    let is_gltf = match media.as_deref() {
        Some(MediaType::GLB) | Some(MediaType::GLTF) => true,
        Some(MediaType::OBJ) => false,
        // No media type: glTF starts with its magic or a JSON object.
        _ => bytes.starts_with(b"glTF") || bytes.trim_ascii_start().starts_with(b"{"),
    };
    let mut parts = if is_gltf {
        gltf_parts(key, &bytes)?
    } else {
        obj_parts(key, &bytes)?
    };
    if parts.is_empty() {
        return Err("the asset holds no triangles".to_owned());
    }
    for part in &mut parts {
        part.local = transform * part.local;
    }
    Ok(parts)
}

/// A key per part of one asset.
fn part_key(key: u64, index: usize) -> u64 {
    key ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

fn obj_parts(key: u64, bytes: &[u8]) -> Result<Vec<Part>, String> {
    let options = tobj::LoadOptions {
        triangulate: true,
        single_index: true,
        ..Default::default()
    };
    let (models, _) = tobj::load_obj_buf(&mut std::io::Cursor::new(bytes), &options, |_| {
        Ok(Default::default())
    })
    .map_err(|e| e.to_string())?;
    let mut parts = Vec::new();
    for model in models {
        let m = &model.mesh;
        let positions: Vec<[f32; 3]> = m
            .positions
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        let normals: Vec<[f32; 3]> = m
            .normals
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        let uvs: Vec<[f32; 2]> = m
            .texcoords
            .chunks_exact(2)
            .map(|c| [c[0], 1.0 - c[1]])
            .collect();
        let colors: Vec<u32> = m
            .vertex_color
            .chunks_exact(3)
            .map(|c| {
                let q = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
                u32::from_be_bytes([q(c[0]), q(c[1]), q(c[2]), 255])
            })
            .collect();
        if m.indices.iter().any(|i| *i as usize >= positions.len()) {
            return Err(format!("{}: an index is out of range", model.name));
        }
        let batch = mesh_batch(&positions, &m.indices, &normals, &colors, &uvs, None);
        parts.push(Part::new(
            part_key(key, parts.len()),
            batch,
            Instances::Whole,
        ));
    }
    Ok(parts)
}

fn gltf_parts(key: u64, bytes: &[u8]) -> Result<Vec<Part>, String> {
    let (document, buffers, images) = gltf::import_slice(bytes).map_err(|e| e.to_string())?;
    // Decoded once per glTF texture (an image with its sampler).
    let mut textures: Vec<Option<Arc<TextureImage>>> = vec![None; document.textures().len()];
    let mut parts = Vec::new();
    let mut visit = Vec::new();
    match document
        .default_scene()
        .or_else(|| document.scenes().next())
    {
        Some(scene) => visit.extend(scene.nodes().map(|n| (n, Mat4::IDENTITY))),
        None => visit.extend(document.nodes().map(|n| (n, Mat4::IDENTITY))),
    }
    while let Some((node, parent)) = visit.pop() {
        let world = parent * Mat4::from_cols_array_2d(&node.transform().matrix());
        visit.extend(node.children().map(|c| (c, world)));
        let Some(mesh) = node.mesh() else { continue };
        for primitive in mesh.primitives() {
            if primitive.mode() != gltf::mesh::Mode::Triangles {
                continue;
            }
            let reader = primitive.reader(|b| buffers.get(b.index()).map(|d| d.0.as_slice()));
            let Some(positions) = reader.read_positions() else {
                continue;
            };
            let positions: Vec<[f32; 3]> = positions.collect();
            let indices: Vec<u32> = match reader.read_indices() {
                Some(i) => i.into_u32().collect(),
                None => (0..positions.len() as u32).collect(),
            };
            if indices.iter().any(|i| *i as usize >= positions.len()) {
                return Err("an index is out of range".to_owned());
            }
            let normals: Vec<[f32; 3]> = reader
                .read_normals()
                .map(Iterator::collect)
                .unwrap_or_default();
            let uvs: Vec<[f32; 2]> = reader
                .read_tex_coords(0)
                .map(|t| t.into_f32().collect())
                .unwrap_or_default();
            let colors: Vec<u32> = reader
                .read_colors(0)
                .map(|c| c.into_rgba_u8().map(u32::from_be_bytes).collect())
                .unwrap_or_default();
            let pbr = primitive.material().pbr_metallic_roughness();
            let texture = pbr.base_color_texture().and_then(|info| {
                let texture = info.texture();
                let slot = textures.get_mut(texture.index())?;
                if slot.is_none() {
                    let nearest =
                        texture.sampler().mag_filter() == Some(gltf::texture::MagFilter::Nearest);
                    *slot = images
                        .get(texture.source().index())
                        .and_then(|image| to_rgba(image, nearest))
                        .map(Arc::new);
                }
                slot.clone()
            });
            let batch = mesh_batch(&positions, &indices, &normals, &colors, &uvs, texture);
            let mut part = Part::new(part_key(key, parts.len()), batch, Instances::Whole);
            part.local = world;
            part.tint = pbr.base_color_factor();
            parts.push(part);
        }
    }
    Ok(parts)
}

/// A glTF image as RGBA8 (8-bit formats; others are not used as textures), sampled as
/// its sampler asks (`nearest`) or filtered.
fn to_rgba(image: &gltf::image::Data, nearest: bool) -> Option<TextureImage> {
    use gltf::image::Format;
    let n = (image.width * image.height) as usize;
    let px = &image.pixels;
    let rgba: Vec<u8> = match image.format {
        Format::R8G8B8A8 => px.clone(),
        Format::R8G8B8 => px
            .chunks_exact(3)
            .flat_map(|c| [c[0], c[1], c[2], 255])
            .collect(),
        Format::R8G8 => px
            .chunks_exact(2)
            .flat_map(|c| [c[0], c[0], c[0], c[1]])
            .collect(),
        Format::R8 => px.iter().flat_map(|v| [*v, *v, *v, 255]).collect(),
        _ => return None,
    };
    (rgba.len() == n * 4).then_some(TextureImage {
        size: [image.width, image.height],
        rgba,
        nearest,
    })
}
